#!/usr/bin/env bash
# Branch coverage of firmware/ (the reducers) under the firmware tests, with
# gcov through gcovr. Fails below 95 % of branches (the bridge reducer: 90 %).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-coverage
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DPACKTWIN_COVERAGE=ON -DPACKTWIN_BUILD_BENCH=OFF >/dev/null
targets=(can_v1_id_test can_v1_frames_test can_v1_signals_test modbus_rtu_test pack_bms_power_test pack_functions_test
         pack_identity_time_test pack_commands_test election_test indicators_test field_defects_test state_digest_test edges_test
         bridge_can_test bridge_commands_test)
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}" >/dev/null
find "$dir" -name '*.gcda' -delete
for t in "${targets[@]}"; do "$dir/tests/$t" --gtest_brief=1 >/dev/null; done
# The packs' reducers at 95 % of branches; the bridge reducer (new in issue
# 14, 92 % today) at 90 % until its tests reach the same bar.
gcovr --root . --filter 'firmware/' --exclude 'firmware/.*bridge.*' --object-directory "$dir/firmware" \
  --exclude-unreachable-branches --exclude-throw-branches --print-summary --fail-under-branch 95 \
  --txt "$dir/firmware-coverage.txt" "$dir/firmware"
gcovr --root . --filter 'firmware/.*bridge' --object-directory "$dir/firmware" \
  --exclude-unreachable-branches --exclude-throw-branches --print-summary --fail-under-branch 90 \
  --txt "$dir/bridge-coverage.txt" "$dir/firmware"
echo "per-file reports: $dir/firmware-coverage.txt, $dir/bridge-coverage.txt"
