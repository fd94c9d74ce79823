"""The body of every service's Alembic env.py: one way to run migrations, online, on one connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from shared.db import make_engine


def run_migrations(context: Any, metadata: MetaData) -> None:
    """Run from env.py. `shared.db.migrate` passes its connection; the alembic CLI passes a URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, metadata)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(context, conn, metadata)


def _run(context: Any, connection: Any, metadata: MetaData) -> None:
    # Batch mode lets ALTER TABLE work on SQLite, the default database.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
