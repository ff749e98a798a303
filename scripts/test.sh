#!/usr/bin/env bash
# The whole test suite: lint, types, then every test (two workers, one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy edge vessel wim_station simulators tests benchmarks
exec .venv/bin/pytest -n 2 -q "$@"
