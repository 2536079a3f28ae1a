// Plays a log's CAN frames back onto a bus (slcan adapter or SocketCAN),
// scheduled on the monotonic clock anchored at the first frame (never on wall
// time), and measures its own schedule error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/base/status.h"
#include "packtwin/base/time_spec.h"

namespace packtwin::replay {

// Like canplayer's `vcan0=can0`: frames recorded on interface `source` go to `target`.
struct InterfaceMap {
  std::string source;  // the interface in the log ("can0")
  std::string target;  // a bus, in --to's forms
};

struct PlaybackRequest {
  std::string db;
  std::string target;  // "slcan:/dev/ttyACM0[@500000]" or "can0"; empty: only mapped interfaces play
  std::vector<InterfaceMap> maps;
  double speed = 1.0;  // 2 = twice as fast
  std::optional<TimeSpec> from;
  std::optional<TimeSpec> until;
  std::optional<eventlog::IdRanges> ids;
  int loops = 1;
  // Step mode: before each frame, show it and wait for a line on `step_in`
  // (Enter: one frame, a number N: N frames, q: stop). Timing is ignored.
  bool step = false;
  std::FILE* step_in = nullptr;
  std::FILE* step_out = nullptr;
};

struct PlaybackReport {
  uint64_t frames = 0;
  int64_t error_p50_us = 0;
  int64_t error_p99_us = 0;
  int64_t error_max_us = 0;
  bool interrupted = false;  // stopped by the caller before the end
};

// "can0=slcan:/dev/ttyACM0" into a map, or an error saying what is wrong.
Result<InterfaceMap> ParseInterfaceMap(const std::string& text);

Result<PlaybackReport> Play(const PlaybackRequest& request, const std::function<bool()>& stop_requested);

}  // namespace packtwin::replay
