// A fixed ten-minute input sequence fed through the pack and fleet reducers:
// BMS replies (good, CRC error, silence), CT samples, TIME, another pack's
// heartbeats and telemetry, commands. Run on the host at -O0 and -O2 and on
// the Cortex-M4 image; all must print the same digests.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

struct ProbeResult {
  uint64_t pack_digest;
  uint64_t fleet_digest;
  uint32_t effects;  // how many effects the pack produced
};

ProbeResult RunProbeSequence();

}  // namespace packtwin::firmware
