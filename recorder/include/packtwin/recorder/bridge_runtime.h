// `packtwin bridge`: the bridge reducer (firmware/bridge_reducer.h) running
// live between a CAN adapter and the site's MQTT broker, recording every
// frame and message it receives and sends into the log as it goes, with the
// same commit and crash guarantees as `record` (fsync'd commits every 100 ms).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/bus/can_spec.h"
#include "packtwin/recorder/mqtt_source.h"

namespace packtwin::recorder {

struct BridgeRunOptions {
  std::string output;
  std::string site;
  std::string tool_version;
  bus::CanBusSpec can;
  MqttSpec mqtt;  // filter unused: the bridge subscribes to alfaspark/commands/+
  uint32_t serial_lo = 0xB1D6E001;
  uint8_t defects = 0;  // bridge 1.0's, for a test bench (firmware::BridgeDefect bits)
  int64_t duration_ms = 0;  // 0: until stop_fd
  int stop_fd = -1;
  bool force = false;
};

struct BridgeRunSummary {
  uint64_t events = 0;
  uint64_t can_in = 0, can_out = 0;
  uint64_t mqtt_in = 0, mqtt_out = 0;
  uint64_t commands = 0, invalid_commands = 0;
  uint64_t broker_gaps = 0;
  std::string stop_reason;
};

Result<BridgeRunSummary> RunBridge(const BridgeRunOptions& options, const std::function<void(const std::string&)>& warn);

}  // namespace packtwin::recorder
