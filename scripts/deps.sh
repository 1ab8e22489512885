#!/usr/bin/env bash
# Installs the Debian packages needed to build (and, given as arguments, to test) when missing.
#   scripts/deps.sh [extra-package...]
set -euo pipefail

missing=()
for pkg in libpq-dev libsqlite3-dev pkg-config "$@"; do
  dpkg -s "$pkg" 2>/dev/null | grep -qx 'Status: install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null ||
    { echo "deps: missing packages: ${missing[*]}; install them as root (no sudo here)" >&2; exit 1; }
  sudo=(sudo)
fi
command -v apt-get >/dev/null ||
  { echo "deps: missing packages: ${missing[*]}; no apt-get here, install them by hand" >&2; exit 1; }

echo "deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
