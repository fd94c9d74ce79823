from alembic import context
from sqlmodel import SQLModel

import curation.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from shared.migrations import run_migrations

run_migrations(context, SQLModel.metadata)
