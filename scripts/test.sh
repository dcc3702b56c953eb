#!/usr/bin/env bash
# Install diplosearch with its test extras into a virtual environment and run the tests.
# Usage: bash scripts/test.sh [pytest arguments]     (venv: $DIPLOSEARCH_VENV, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${DIPLOSEARCH_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# torch first, pinned to the CPU build: a bare torch requirement would pull a CUDA build.
"$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0
"$venv/bin/pip" install --quiet --disable-pip-version-check -e '.[test]'
# The architecture's contracts (layers, no import cycles) fail the run before any test does.
"$venv/bin/lint-imports"
exec "$venv/bin/python" -m pytest "$@"
