#!/usr/bin/env bash
# Builds and runs every test (ctest), then prints the firmware's Cortex-M4
# image sizes and branch coverage (fails below 95 %; the bridge reducer 80 %). Non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" "$@")
echo "--- firmware on Cortex-M4 (firmware/mcu/build.sh)"
cat build/mcu/sizes.txt
echo "--- firmware branch coverage (scripts/coverage.sh)"
./scripts/coverage.sh
