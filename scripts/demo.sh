#!/usr/bin/env bash
# The main job: broker, central receiver, a WIM site and a patrol vessel, all on simulators,
# with a live view. Arguments go to `edge demo` (e.g. --minutes 2, --out DIR, --record).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/edge demo "$@"
