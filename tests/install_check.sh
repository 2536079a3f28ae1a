#!/usr/bin/env bash
# `cmake --install` puts packtwin and the DBC under a prefix, and the installed
# packtwin runs from there. usage: install_check.sh BUILD_DIR
set -euo pipefail
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$1" --prefix "$prefix" >/dev/null
"$prefix/bin/packtwin" --version | grep -q '^packtwin [0-9]'
grep -q '^BO_ 426 TEL_BATT_2A: 8 pack' "$prefix/share/packtwin/alfaspark-v1.dbc"
echo "installed: $prefix/bin/packtwin, $prefix/share/packtwin/alfaspark-v1.dbc"
