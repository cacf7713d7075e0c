"""Alembic environment: the engine comes from ``models.db.Database``; SQLite uses batch mode."""
from alembic import context

from models.base import Base
import models.entities  # noqa: F401  (registers the tables)

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
