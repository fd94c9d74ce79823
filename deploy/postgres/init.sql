-- Creates one database per Sentra service. The official postgres image runs this file (mounted in
-- /docker-entrypoint-initdb.d) with psql as POSTGRES_USER, once, when the data volume is empty;
-- the databases are owned by that user. On an existing volume it is not run again: create a
-- missing database by hand with the same statements (`docker compose exec postgres psql -U ...`).
--
-- Idempotent (\gexec runs the CREATE only when the database is absent), so it does not fail when
-- POSTGRES_DB happens to name one of these databases.

SELECT 'CREATE DATABASE registry'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'registry')\gexec

SELECT 'CREATE DATABASE curation'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'curation')\gexec

SELECT 'CREATE DATABASE exhibitions'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'exhibitions')\gexec
