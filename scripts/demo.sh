#!/usr/bin/env bash
# The main job: broker, central receiver, a WIM site and a patrol vessel, all on simulators.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/edge config check config/*.yaml
