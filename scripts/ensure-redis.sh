#!/usr/bin/env bash
# Make sure `redis-server` is there for the CeleryExecutor test (it starts and stops its own Redis
# on a free port, as the tests do with PostgreSQL). Debian/Ubuntu: installs the `redis-server`
# package (as root, or with sudo); the package's own service is left stopped. macOS: Homebrew's.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's redis-server for the CeleryExecutor test (about 20 s)..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d 101: the package must not start (or leave running) a system-wide Redis on 6379
  POLICY=/usr/sbin/policy-rc.d; MADE=""
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null; $SUDO chmod +x "$POLICY"; MADE=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  [ -z "$MADE" ] || $SUDO rm -f "$POLICY"
  exit 0
fi
if command -v brew >/dev/null 2>&1; then
  brew install redis >/dev/null
  exit 0
fi
echo "The CeleryExecutor test needs redis-server: on Debian/Ubuntu apt-get install redis-server," \
     "on macOS brew install redis." >&2
exit 1
