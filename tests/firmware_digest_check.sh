#!/usr/bin/env bash
# The determinism contract: the same input sequence gives the same digests on
# the host at -O0 and -O2 and on the Cortex-M4 image (run under QEMU).
# usage: firmware_digest_check.sh PROBE_O0 PROBE_O2 MCU_OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$3"
o0=$("$1")
o2=$("$2")
"$here/../firmware/mcu/build.sh" "$3" | tee "$3/sizes.txt"
mcu=$(timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$3/packtwin-mcu.elf" 2>&1 | tr -d '\r')
echo "host -O0:      $o0"
echo "host -O2:      $o2"
echo "cortex-m4/qemu: $mcu"
if [ "$o0" != "$o2" ] || [ "$o0" != "$mcu" ]; then
  echo "FAIL: digests differ between builds" >&2
  exit 1
fi
echo "digests identical on all three builds"
