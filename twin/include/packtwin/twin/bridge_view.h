// The twin of the bridge: what the bridge last published on each MQTT topic,
// beside what the bridge reducer (firmware/bridge_reducer.h) says it should
// have published, folded from the same log's CAN frames and app commands.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/twin/rebuild.h"

namespace packtwin::twin {

struct BridgeTopicView {
  std::string published;  // the last payload the log shows on the topic ("" when none)
  uint64_t published_seq = 0;
  std::string twin;       // what the reducer would have published last ("" when nothing)
  bool differs = false;   // the two payloads differ (ts_ms aside)
};

// Empty when the log holds no MQTT source (a CAN-only capture).
Result<std::map<std::string, BridgeTopicView>> BuildBridgeView(eventlog::EventReader& reader, const RebuildLimit& limit);

}  // namespace packtwin::twin
