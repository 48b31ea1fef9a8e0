#!/usr/bin/env bash
# Set up (dev requirements and Debian's chromium for the browser tests), lint, run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
