"""A migrated registry database on SQLite for the registry's unit tests that need one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from registry.app import MIGRATIONS
from shared.db import make_engine, migrate


def fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, MIGRATIONS)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = fresh_engine(tmp_path / "registry.db")
    yield engine
    engine.dispose()
