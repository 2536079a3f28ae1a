// Prints the probe sequence's digests on the host (built at -O0 and -O2).
#include <cinttypes>
#include <cstdio>

#include "probe_sequence.h"

int main() {
  const auto result = packtwin::firmware::RunProbeSequence();
  std::printf("pack %016" PRIx64 " fleet %016" PRIx64 " effects %" PRIu32 "\n", result.pack_digest,
              result.fleet_digest, result.effects);
  return 0;
}
