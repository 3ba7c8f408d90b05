#!/usr/bin/env bash
# The README's test command: set everything up on a fresh machine, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/system_packages.sh
export OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m pytest "$@"
