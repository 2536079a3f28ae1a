#!/usr/bin/env bash
# The main job: build, then import the shipped 3-pack capture and show it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
./build/cli/packtwin demo
