#!/usr/bin/env bash
# Builds and runs every test (ctest); exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
