"""Alembic environment: the URL comes from Chekara's settings, never from a file."""

from __future__ import annotations

from alembic import context

from chekara.db.engine import make_engine
from chekara.config import get_settings
from chekara.db.models import Base
from chekara.domain.archive.months import is_partition_name

target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave PostGIS's own table, and positions' monthly partitions (made by the server), alone."""
    if type_ == "table" and (name == "spatial_ref_sys" or is_partition_name(name)):
        return False
    table = getattr(obj, "table", None)  # an index or constraint of a partition
    return not (table is not None and is_partition_name(table.name))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings(), context.config.attributes.get("database"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `chekara db migrate`")
run_migrations()
