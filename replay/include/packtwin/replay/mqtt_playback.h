// `replay DB --mqtt HOST:PORT`: a log's MQTT messages published again at
// their recorded pace (the app's commands, the bridge's publications, or
// both), so a dashboard or an app build can be fed a field day.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/base/time_spec.h"

namespace packtwin::replay {

enum class MqttDirection { kAll, kIn, kOut };  // seen from the bridge: in = the app's commands

struct MqttPlaybackRequest {
  std::string db;
  std::string host;
  int port = 1883;
  MqttDirection direction = MqttDirection::kAll;
  std::string topics = "#";  // an MQTT topic filter
  double speed = 1.0;
  std::optional<TimeSpec> from;
  std::optional<TimeSpec> until;
};

struct MqttPlaybackReport {
  uint64_t messages = 0;
  int64_t error_max_us = 0;  // the latest a message went out against its schedule
  bool interrupted = false;
};

Result<MqttPlaybackReport> PlayMqtt(const MqttPlaybackRequest& request, const std::function<bool()>& stop_requested);

}  // namespace packtwin::replay
