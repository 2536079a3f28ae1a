// Plays a log's CAN frames back onto a bus (slcan adapter or SocketCAN),
// scheduled on the monotonic clock anchored at the first frame (never on wall
// time), and measures its own schedule error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/eventlog/status.h"
#include "packtwin/eventlog/time_spec.h"

namespace packtwin::replay {

struct PlaybackRequest {
  std::string db;
  std::string target;  // "slcan:/dev/ttyACM0[@500000]" or "can0"
  double speed = 1.0;  // 2 = twice as fast
  std::optional<TimeSpec> from;
  std::optional<TimeSpec> until;
  std::optional<IdRanges> ids;
  int loops = 1;
};

struct PlaybackReport {
  uint64_t frames = 0;
  int64_t error_p50_us = 0;
  int64_t error_p99_us = 0;
  int64_t error_max_us = 0;
};

Result<PlaybackReport> Play(const PlaybackRequest& request, const std::function<bool()>& stop_requested);

}  // namespace packtwin::replay
