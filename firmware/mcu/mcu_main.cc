// The Cortex-M4 image: runs the probe sequence through the reducers and
// prints the digests over semihosting (no libc I/O, no heap).
#include <cstdint>

#include "packtwin/firmware/effects.h"
#include "packtwin/firmware/pack_state.h"
#include "probe_sequence.h"

static_assert(sizeof(packtwin::firmware::PackState) + sizeof(packtwin::firmware::Effects) <= 8192,
              "one pack's state and effects must fit in 8 KiB of RAM");

namespace {

int Semihost(int op, const void* arg) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void WriteText(const char* text) { Semihost(0x04, text); }  // SYS_WRITE0

void WriteHex(uint64_t value) {
  char text[17];
  for (int i = 15; i >= 0; --i) {
    const auto nibble = static_cast<unsigned>(value & 0xFu);
    text[i] = static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
    value >>= 4;
  }
  text[16] = '\0';
  WriteText(text);
}

void WriteDecimal(uint32_t value) {
  char text[11];
  int pos = 10;
  text[pos] = '\0';
  do {
    text[--pos] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && pos > 0);
  WriteText(&text[pos]);
}

}  // namespace

int main() {
  const auto result = packtwin::firmware::RunProbeSequence();
  WriteText("pack ");
  WriteHex(result.pack_digest);
  WriteText(" fleet ");
  WriteHex(result.fleet_digest);
  WriteText(" effects ");
  WriteDecimal(result.effects);
  WriteText("\n");
  // SYS_EXIT: on AArch32 r1 holds the reason itself; ApplicationExit means success.
  Semihost(0x18, reinterpret_cast<const void*>(0x20026));
  while (true) {
  }
}
