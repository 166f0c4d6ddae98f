#!/usr/bin/env bash
# Make sure a headless Chromium is there for the tests that look at rendered pages.
# Debian/Ubuntu: installs the `chromium` package (as root, or with sudo). macOS: uses Google Chrome.
set -euo pipefail
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$b" >/dev/null 2>&1 && exit 0
done
[ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ] && exit 0
[ -x "/Applications/Chromium.app/Contents/MacOS/Chromium" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the rendering tests (about a minute)..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The rendering tests need Chromium or Google Chrome: on macOS install Google Chrome," \
     "on Debian/Ubuntu: apt-get install chromium." >&2
exit 1
