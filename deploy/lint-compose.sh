#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: `docker-compose config` (1.29, Debian's
# package) parses, validates and interpolates the file. Dummy values stand in for the required
# secrets, and .env.example (not a real .env) supplies the rest, so the check is reproducible.
# When Docker Compose v2 (`docker compose`) is also installed, the file is checked with it too.
#
#   deploy/lint-compose.sh            # exit status 0 when the file is valid
#
# Installs docker-compose with apt-get when it is missing (needs root, or sudo).
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose not found; installing it with apt-get" >&2
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error: docker-compose is missing and installing it needs root" >&2
        exit 2
    fi
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-compose
fi

# Dummies for the variables docker-compose.yml marks as required (${VAR:?...}). Exported values
# win over the env file.
export SENTRA_SECRET_KEY="lint-only-not-a-secret"
export SENTRA_ADMIN_PASSWORD="lint-only-not-a-secret"
export SENTRA_PERSONAL_DATA_KEY="lint-only-not-a-secret"
export POSTGRES_PASSWORD="lint-only-not-a-secret"

status=0
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "== $(docker-compose version --short 2>/dev/null || echo docker-compose): config"
if docker-compose --env-file .env.example -f docker-compose.yml config >"$out"; then
    echo "OK: services: $(docker-compose --env-file .env.example -f docker-compose.yml config --services | tr '\n' ' ')"
else
    echo "FAILED: docker-compose config" >&2
    status=1
fi

# The registry split into api and worker containers (profile "split", ADR 0015).
if REGISTRY_ROLE=api docker-compose --env-file .env.example -f docker-compose.yml --profile split config \
        >"$out" && grep -q "SENTRA_ROLE: worker" "$out" && grep -q "SENTRA_ROLE: api" "$out"; then
    echo "OK: profile split adds registry-worker (SENTRA_ROLE worker) beside registry (api)"
else
    echo "FAILED: docker-compose --profile split config" >&2
    status=1
fi

if docker compose version >/dev/null 2>&1; then
    echo "== $(docker compose version --short): config"
    if docker compose --env-file .env.example -f docker-compose.yml config --quiet; then
        echo "OK"
    else
        echo "FAILED: docker compose config" >&2
        status=1
    fi
fi

exit "$status"
