// The bridge's MQTT side, both directions (bridge-mqtt.md): app commands
// (topic and JSON payload) <-> the reducer's BridgeCommand, and the reducer's
// publications -> topic and JSON payload. Payloads are untrusted: every
// refusal names the key and why, and the decoder never throws or recurses
// without bound.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "packtwin/firmware/bridge_types.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::bus {

inline constexpr const char* kBridgeTopicPrefix = "alfaspark/";
inline constexpr const char* kCommandTopicPrefix = "alfaspark/commands/";
inline constexpr const char* kBridgeStatusTopic = "alfaspark/bridge/status";
inline constexpr const char* kResultTopic = "alfaspark/commands/result";
inline constexpr size_t kMaxCommandPayloadBytes = 4096;
inline constexpr int kMaxCommandJsonDepth = 8;

// An app command as the bridge receives it: accepted, or refused with the
// key named (the result then says `invalid`).
using DecodedCommand = std::variant<firmware::BridgeCommand, firmware::BridgeInvalid>;
DecodedCommand DecodeAppCommand(std::string_view topic, std::string_view payload);
// True for alfaspark/commands/<name> except the bridge's own result topic,
// which its subscription to alfaspark/commands/+ also brings back.
bool IsCommandTopic(std::string_view topic);

struct MqttMessageOut {
  std::string topic;
  std::string payload;
  bool retained = false;
  int qos = 1;
};

// What the app sends for a command (the simulated app, replay, tests).
MqttMessageOut EncodeAppCommand(const firmware::BridgeCommand& command);
// What the bridge publishes.
MqttMessageOut EncodePublication(const firmware::BridgePublication& publication);

// A message as the log stores it (direction seen from the bridge).
void ToStoredMqtt(const MqttMessageOut& message, v1::Direction direction, const std::string& client, v1::MqttMessage* out);

// Names the spec gives in payloads.
const char* CommandName(firmware::BridgeCommandName name);
const char* ResultStatusName(firmware::BridgeResultStatus status);

}  // namespace packtwin::bus
