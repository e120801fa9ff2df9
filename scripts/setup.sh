#!/usr/bin/env bash
# Sets up everything on a fresh Debian/Ubuntu machine (as root or with sudo), then builds
# the sample site from data/. Safe to run again: it only installs what is missing.
#   bash scripts/setup.sh              set up and build the sample site into site/
#   bash scripts/setup.sh --no-build   set up only (used by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Python, the CJK fonts embedded in PDFs (WenQuanYi Micro Hei, with Noto
# Sans CJK SC for rare characters; see benchmarks/fonts.py), WeasyPrint's pango and HarfBuzz
# subsetting, poppler (tests read PDF text), Debian's chromium (browser tests; Playwright
# drives it and never downloads a browser of its own).
PACKAGES=(python3 python3-venv fonts-wqy-microhei fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
          libharfbuzz-subset0 poppler-utils chromium)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> 安装系统软件包: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python environment, reinstalled only when the pinned dependencies change.
stamp_source=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp_source" ]; then
  echo "==> 准备 Python 环境 (.venv)"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$stamp_source" > .venv/.setup-stamp
fi

if [ "${1:-}" != "--no-build" ]; then
  echo "==> 校验并生成示例网站 (data/ → site/)"
  .venv/bin/python -m generator validate
  .venv/bin/python -m generator build
  echo "==> 完成：用浏览器打开 site/index.html，或运行 .venv/bin/python -m http.server -d site"
fi
