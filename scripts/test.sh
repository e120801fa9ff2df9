#!/usr/bin/env bash
# Runs the whole test suite; sets the machine up first if that has not been done.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
exec .venv/bin/python -m pytest "$@"
