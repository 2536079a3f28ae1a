#!/usr/bin/env bash
# Regression from a capture: import it and compare with its golden file.
# usage: golden_regress.sh PACKTWIN CAPTURE.log CAPTURE.log.golden.json
set -euo pipefail
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$1" import "$2" -o "$scratch/capture.db" >/dev/null
"$1" regress "$scratch/capture.db" --golden "$3"
