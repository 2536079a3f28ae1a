// Clocks of the capture host: monotonic for capture time and pacing,
// realtime for wall time. The only clock reads of recorder/ and replay/.
#pragma once

#include <cstdint>

namespace packtwin::bus {

int64_t MonotonicNs();
int64_t WallNs();

}  // namespace packtwin::bus
