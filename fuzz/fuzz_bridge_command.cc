// What an app (or anyone on the site's broker) sends the bridge: a command
// topic and payload. The first line of the input is the topic's command name.
// A payload the decoder accepts must encode back to one it accepts again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "packtwin/bus/bridge_mqtt_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string name = newline == std::string::npos ? "mode" : input.substr(0, newline);
  const std::string payload = newline == std::string::npos ? input : input.substr(newline + 1);
  auto decoded = packtwin::bus::DecodeAppCommand(std::string(packtwin::bus::kCommandTopicPrefix) + name, payload);
  if (const auto* command = std::get_if<packtwin::firmware::BridgeCommand>(&decoded)) {
    const auto again = packtwin::bus::EncodeAppCommand(*command);
    if (!std::holds_alternative<packtwin::firmware::BridgeCommand>(packtwin::bus::DecodeAppCommand(again.topic, again.payload))) {
      std::abort();  // the codec disagrees with itself
    }
  }
  return 0;
}
