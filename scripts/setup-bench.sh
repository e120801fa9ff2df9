#!/usr/bin/env bash
# Extra system packages for the benchmarks only: Hugo (the speed yardstick of
# benchmarks/build_speed.py) and the candidate fonts measured by benchmarks/fonts.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  hugo fonts-wqy-zenhei fonts-droid-fallback fonts-arphic-uming
