"""The exhibitions database on a real SQLite file, migrated: service logic without HTTP or Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from exhibitions.app import MIGRATIONS
from shared.db import make_engine, migrate


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'exhibitions.db'}")
    migrate(engine, MIGRATIONS)
    yield engine
    engine.dispose()
