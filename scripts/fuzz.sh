#!/usr/bin/env bash
# Runs every libFuzzer harness (built by scripts/sanitize.sh into build-asan/)
# for SECONDS each (default 30), starting from its seed corpus in
# fuzz/corpus/NAME. Non-zero when any harness finds a crash, a sanitizer
# report or a timeout; the input that did it is left in build-asan/fuzz-findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
findings=build-asan/fuzz-findings
mkdir -p "$findings"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for harness in build-asan/fuzz/fuzz_*; do
  [ -x "$harness" ] || continue
  name="$(basename "$harness")"
  work="$(mktemp -d)"
  if "$harness" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/$name-" "$work" "fuzz/corpus/$name" >"$work.log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$' || echo '?')"
    echo "fuzz: $name: $runs runs, no finding"
  else
    echo "fuzz: $name: FAILED"; tail -40 "$work.log"; status=1
  fi
  rm -rf "$work" "$work.log"
done
exit "$status"
