"""Run the Alembic migrations in migrations/ without an alembic.ini file."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from chekara.config import PROJECT_ROOT


def alembic_config(database: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database"] = database
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(database: str | None = None) -> None:
    command.upgrade(alembic_config(database), "head")


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
