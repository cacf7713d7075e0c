"""Engines, sessions and migrations. SQLite gets WAL mode and a busy timeout."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.exceptions import DatabaseLockedError, MigrationError, StoreError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000


def _sqlite_pragmas(busy_ms: int):
    def apply(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return apply


def make_engine(url: str, busy_ms: int = SQLITE_BUSY_MS) -> Engine:
    """An engine for ``url``; SQLite files get their folder created, WAL mode and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_ms / 1000})
        event.listen(engine, "connect", _sqlite_pragmas(busy_ms))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """One database: ``session()`` for units of work, ``migrate()`` to bring the schema up to date."""

    def __init__(self, url: str, *, busy_ms: int = SQLITE_BUSY_MS) -> None:
        self.url = url
        self.busy_ms = busy_ms
        self.engine = make_engine(url, busy_ms)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def needs_migration(self) -> bool:
        head = ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() != head

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision if it is behind."""
        try:
            if self.needs_migration():
                log.info("migrating database %s", redact(self.url))
                command.upgrade(_alembic_config(self.engine), "head")
        except OperationalError as exc:
            raise _translate(exc, self.url, self.busy_ms) from exc
        except SQLAlchemyError as exc:
            raise MigrationError(f"无法升级数据库 {redact(self.url)} 的结构：{exc}") from exc

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error, with clear errors."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise _translate(exc, self.url, self.busy_ms) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _translate(exc: OperationalError, url: str, busy_ms: int) -> StoreError:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"数据库 {redact(url)} 被另一个进程锁定超过 {busy_ms / 1000:g} 秒，本次写入没有完成，已有数据不受影响。"
            "请等待正在运行的扫描结束后重试；多个进程同时写入时请改用 PostgreSQL（--db postgresql+psycopg://…）。"
        )
    return StoreError(f"无法访问数据库 {redact(url)}：{text}。请检查 --db 地址、文件权限和磁盘空间。")
