"""A migrated registry database on SQLite for the registry's unit tests that need one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from registry import personal
from registry.app import MIGRATIONS
from registry.settings import DEV_PERSONAL_DATA_KEY
from shared.db import make_engine, migrate


@pytest.fixture(autouse=True, scope="session")
def _nik_key() -> None:
    """The key a registry process sets at start-up (registry/personal.py)."""
    personal.use_key(DEV_PERSONAL_DATA_KEY)


def fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, MIGRATIONS)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = fresh_engine(tmp_path / "registry.db")
    yield engine
    engine.dispose()
