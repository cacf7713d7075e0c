"""What every command works with: settings, the registry, the database, and the date in force."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from config.exceptions import RegistryError
from config.registry import Registry, load_registry
from config.settings import Settings
from models.db import Database


@dataclass
class Runtime:
    """Settings, registry and database for one command; ``as_of`` fixes "today" for date rules.

    ``now()`` is the current time of day on the ``as_of`` date, so that a run with
    ``--as-of`` records timestamps in that day and date-dependent rules are reproducible.
    """

    settings: Settings
    as_of: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
        from classifier.detectors import lexicon
        from classifier.registry import configure_model

        lexicon.configure(self.settings.detect.lexicons)
        configure_model(self.settings.detect.model)

    def now(self) -> dt.datetime:
        real = dt.datetime.now(dt.timezone.utc)
        # as_of defaults to the machine's local date, which is not the UTC date for part of the day
        # (00:00-08:00 in China): "today" in either sense means the real time, not a shifted one
        if self.as_of in (real.date(), dt.date.today()):
            return real
        return dt.datetime.combine(self.as_of, real.timetz())

    @functools.cached_property
    def db(self) -> Database:
        db = Database(self.settings.db_url)
        db.migrate()
        return db

    @functools.cached_property
    def registry(self) -> Registry:
        path = self.settings.registry
        if path is None:
            raise RegistryError(
                "没有指定机构名册：请在设置文件中填写 registry: 名册路径，或设置环境变量 ORGWATCH_REGISTRY，"
                "或用 --config 指定设置文件（示例见 config/example/orgwatch.yaml）"
            )
        return load_registry(Path(path))

    @property
    def data_dir(self) -> Path:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.data_dir
