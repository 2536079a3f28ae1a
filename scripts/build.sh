#!/usr/bin/env bash
# Installs the Debian packages packtwin needs (idempotent) and builds it into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" -DPACKTWIN_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
