#!/usr/bin/env bash
# The main job: build packtwin, simulate a 3-pack site for a day and show what the twin makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the demo needs (the packtwin executable): minutes on a fresh 2-core
# machine; ./scripts/test.sh builds the rest.
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" -DPACKTWIN_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)" --target packtwin
./build/cli/packtwin demo
