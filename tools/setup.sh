#!/usr/bin/env bash
# Installs everything SMS Desk needs on a fresh machine: npm packages (the Electron binary is
# skipped unless ELECTRON_SKIP_BINARY_DOWNLOAD=0 is given) and Debian's Chromium for the
# browser tests when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
if [ "${SMS_DESK_SKIP_CHROMIUM:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is needed for the end-to-end tests: install it and set CHROMIUM_PATH." >&2
  fi
fi
echo "SMS Desk set-up done."
