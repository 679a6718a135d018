"""The migrations and the models describe the same schema: autogenerate finds nothing to do."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chekara.db.models import Base

# Importing env.py would run the migrations; its filter is small enough to restate.
IGNORED_TABLES = {"spatial_ref_sys"}


def _include(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in IGNORED_TABLES)


def test_the_migrated_database_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _include, "compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
