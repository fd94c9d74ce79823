from alembic import context
from sqlmodel import SQLModel

import registry.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from registry import personal
from registry.settings import RegistrySettings
from shared.migrations import run_migrations

# Revision 0003 seals the NIKs already stored. A service has set its key; the alembic CLI reads it.
if not personal.key_is_set():
    personal.use_key(RegistrySettings().personal_data_key.get_secret_value())
run_migrations(context, SQLModel.metadata)
