#!/usr/bin/env bash
# Cross-compiles firmware/ for a Cortex-M4 and links a freestanding image
# (newlib-nano) whose main runs the probe sequence. Fails when the image
# references the heap, exceptions or soft-float, or exceeds its budget.
# usage: firmware/mcu/build.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
firmware="$(dirname "$here")"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"

cxx=arm-none-eabi-g++
flags=(-mcpu=cortex-m4 -mthumb -Os -std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics
       -ffunction-sections -fdata-sections -Wall -Wextra -Werror -Wconversion -Wsign-conversion
       -DNDEBUG -I "$firmware/include")
objects=()
for src in "$firmware"/src/*.cc "$here"/probe_sequence.cc "$here"/mcu_main.cc "$here"/startup.cc; do
  obj="$out/$(basename "${src%.cc}").o"
  "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  objects+=("$obj")
done
"$cxx" -mcpu=cortex-m4 -mthumb --specs=nano.specs -nostartfiles -T "$here/link.ld" -Wl,--gc-sections \
  -Wl,-Map="$out/packtwin-mcu.map" "${objects[@]}" -o "$out/packtwin-mcu.elf" -lgcc

forbidden='^(malloc|free|calloc|realloc|_Znwj|_Znaj|_ZdlPv|_ZdaPv|_ZdlPvj|__cxa_throw|__cxa_allocate_exception|__aeabi_[fd][a-z0-9]*)$'
bad=$(arm-none-eabi-nm "$out/packtwin-mcu.elf" | awk '{print $NF}' | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then
  echo "mcu: the image references forbidden symbols (heap, exceptions or soft-float):" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi

read -r text data bss < <(arm-none-eabi-size -A "$out/packtwin-mcu.elf" |
  awk '$1==".text"{t=$2} $1==".isr_vector"{v=$2} $1==".data"{d=$2} $1==".bss"{b=$2} END{print t+v, d+0, b+0}')
echo "mcu: .text ${text} bytes, .data ${data} bytes, .bss ${bss} bytes (budget: .text <= 32768)"
if [ "$text" -gt 32768 ]; then
  echo "mcu: .text is over the 32 KiB budget" >&2
  exit 1
fi
echo "mcu: no heap, exceptions or soft-float referenced: $out/packtwin-mcu.elf"
