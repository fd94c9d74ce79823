"""Registry revision 0004 (product photos, the catalogue listing, product descriptions) on SQLite and
PostgreSQL: the migrated schema is the tables' schema, and it goes down to 0003 and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import registry.tables  # noqa: F401  (the tables compared against)
from registry import personal
from registry.app import MIGRATIONS
from shared.db import make_engine
from tests.support.servers import create_database

OURS = {"product_photo", "catalogue_listing", "product"}


def _differences(connection: object) -> list[object]:
    context = MigrationContext.configure(connection)  # type: ignore[arg-type]
    diffs = compare_metadata(context, SQLModel.metadata)
    return [d for d in diffs if any(name in repr(d) for name in OURS)]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_revision_0004_matches_the_tables_and_reverts(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    personal.use_key("a-migration-test-key-of-32-bytes-or-more")
    url = (f"sqlite:///{tmp_path / 'registry.db'}" if backend == "sqlite"
           else create_database(request.getfixturevalue("postgres_server"), "sentra_registry_0004"))
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004")
        assert _differences(connection) == []
        command.downgrade(cfg, "0003")
        assert {"product_photo", "catalogue_listing"}.isdisjoint(connection.dialect.get_table_names(connection))
        command.upgrade(cfg, "head")
        assert {"product_photo", "catalogue_listing"} <= set(connection.dialect.get_table_names(connection))
    engine.dispose()
