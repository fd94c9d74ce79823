"""Revision 0004 of the registry (product photos, the catalogue listing, product descriptions) and of
curation (the catalogue, photos by reference), on SQLite and PostgreSQL: the migrated schema is the
tables' schema, and each goes down to 0003 and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Index, MetaData, Table, UniqueConstraint

import curation.app
import curation.tables
import registry.app
import registry.tables
from registry import personal
from shared.db import make_engine
from tests.support.servers import create_database

NEW_TABLES = {"registry": {"product_photo", "catalogue_listing"},
              "curation": {"catalogue_entry", "catalogue_ikm", "catalogue_product", "product_photo_ref"}}
SERVICES = {"registry": (registry.app.MIGRATIONS, registry.tables.Product.metadata),
            "curation": (curation.app.MIGRATIONS, curation.tables.Case.metadata)}


def _table_of(difference: Any) -> str | None:
    """The table an autogenerate difference is about (a modification comes as a list of them)."""
    step = difference[0] if isinstance(difference, list) else difference
    for part in step[1:]:
        if isinstance(part, Table):
            return part.name
        if isinstance(part, Index | UniqueConstraint) and part.table is not None:
            return str(part.table.name)
    return step[2] if len(step) > 2 and isinstance(step[2], str) else None


def _differences(connection: object, metadata: MetaData, tables: set[str]) -> list[object]:
    """What differs between the database and the tables' metadata, for the tables this revision touches
    (the metadata holds both services' tables: the test imports both)."""
    context = MigrationContext.configure(connection)  # type: ignore[arg-type]
    return [d for d in compare_metadata(context, metadata) if _table_of(d) in tables]


@pytest.mark.postgres
@pytest.mark.parametrize("service", ["registry", "curation"])
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_revision_0004_matches_the_tables_and_reverts(service: str, backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    personal.use_key("a-migration-test-key-of-32-bytes-or-more")
    migrations, metadata = SERVICES[service]
    url = (f"sqlite:///{tmp_path / f'{service}.db'}" if backend == "sqlite"
           else create_database(request.getfixturevalue("postgres_server"), f"sentra_{service}_0004"))
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    touched = NEW_TABLES[service] | ({"product"} if service == "registry" else set())
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004")
        assert _differences(connection, metadata, touched) == []
        command.downgrade(cfg, "0003")
        assert NEW_TABLES[service].isdisjoint(connection.dialect.get_table_names(connection))
        command.upgrade(cfg, "head")
        assert NEW_TABLES[service] <= set(connection.dialect.get_table_names(connection))
    engine.dispose()
