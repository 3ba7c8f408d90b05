#!/usr/bin/env bash
# The README's run command: set up if needed, then serve the app on demo data (chedai app).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export OPENBLAS_NUM_THREADS=1
exec .venv/bin/chedai app "$@"
