#!/usr/bin/env bash
# Installs what Sentra needs on a fresh machine with only Python 3.11 and make: uv (into .tools/),
# then the locked dependencies (into .venv/). Nothing is downloaded but packages from PyPI
# (and, as root on Debian, the Debian packages python3-venv and chromium when they are missing:
# the console's browser tests drive /usr/bin/chromium, as Playwright's own download does not work here).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
UV_VERSION=0.13.9

if [ ! -x .tools/bin/uv ]; then
  if ! "$PYTHON" -m venv .tools 2>/dev/null; then
    rm -rf .tools
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "python3-venv is missing: installing it with apt-get" >&2
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .tools
    else
      echo "Python's venv module is missing: install python3-venv (Debian/Ubuntu) and retry." >&2
      exit 1
    fi
  fi
  .tools/bin/pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never
.tools/bin/uv sync --frozen --python "$PYTHON" "$@" >/dev/null

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "chromium is missing (the console's browser tests need it): installing it with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: /usr/bin/chromium is missing; the console's browser tests need it (apt-get install chromium)" >&2
  fi
fi

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "nginx is missing (the gateway test runs deploy/gateway/nginx.conf): installing it with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  else
    echo "note: nginx is missing; the gateway test needs it (apt-get install nginx-light)" >&2
  fi
fi
