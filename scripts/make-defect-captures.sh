#!/usr/bin/env bash
# Writes scenarios/captures/field-defect-*.log (candump) and their golden files
# from the field-defect scenarios: firmware 2.5's defects as a bus shows them.
# Defect 1 needs the RS-485 tap's Modbus log, which candump cannot carry: its
# capture is the scenario's own .db (scenario run -o), not a .log here.
# usage: scripts/make-defect-captures.sh [path/to/packtwin]
set -euo pipefail
cd "$(dirname "$0")/.."
packtwin=${1:-build/cli/packtwin}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for scenario in scenarios/field-defects/defect-*.json; do
  name=$(basename "$scenario" .json)
  [[ $name == defect-01-* ]] && continue
  "$packtwin" scenario run "$scenario" -o "$scratch/$name.db" >/dev/null
  log=scenarios/captures/field-$name.log
  "$packtwin" export "$scratch/$name.db" --format candump -o "$log" --force
  "$packtwin" import "$log" -o "$scratch/$name.imported.db" >/dev/null
  "$packtwin" golden "$scratch/$name.imported.db" -o "$log.golden.json" --force >/dev/null
  echo "$log"
done
