#include "packtwin/twin/bridge_view.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <variant>

#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/firmware/bridge_reducer.h"

namespace packtwin::twin {
namespace {

// Payloads compared as JSON without ts_ms (the bridge's clock, not content);
// as bytes when they are not JSON objects.
bool SamePayload(const std::string& a, const std::string& b) {
  nlohmann::json ja = nlohmann::json::parse(a, nullptr, false);
  nlohmann::json jb = nlohmann::json::parse(b, nullptr, false);
  if (!ja.is_object() || !jb.is_object()) return a == b;
  ja.erase("ts_ms");
  jb.erase("ts_ms");
  return ja == jb;
}

// Frames the bridge sends itself: CAN does not echo them back to it.
bool FromTheBridge(const firmware::CanFrame& frame) {
  const uint32_t function = frame.id >> 7;
  const uint32_t node = frame.id & 0x7F;
  return function == 0x0 || (node == 0x01 && (function == 0x2 || function == 0xE));
}

bool HasMqttSource(eventlog::EventReader& reader) {
  auto sources = reader.Sources();
  if (!sources.ok()) return false;
  for (const auto& source : *sources) {
    if (source.name.rfind("mqtt:", 0) == 0) return true;
  }
  return false;
}

}  // namespace

Result<std::map<std::string, BridgeTopicView>> BuildBridgeView(eventlog::EventReader& reader, const RebuildLimit& limit) {
  std::map<std::string, BridgeTopicView> view;
  if (!HasMqttSource(reader)) return view;
  auto state = std::make_unique<firmware::BridgeState>();
  firmware::BridgeInit(state.get(), firmware::BridgeConfig{});
  auto out = std::make_unique<firmware::BridgeOutputs>();
  int64_t first_ms = -1;
  auto clock_of = [&](int64_t wall_ns) {
    firmware::BridgeClock clock;
    const int64_t wall_ms = wall_ns / 1'000'000;
    if (first_ms < 0) first_ms = wall_ms;
    clock.now_ms = static_cast<uint64_t>(wall_ms - first_ms);
    clock.wall_ms = wall_ms;
    clock.ntp_synced = true;
    return clock;
  };
  auto keep = [&]() {
    for (uint8_t i = 0; i < out->publication_count; ++i) {
      const auto message = bus::EncodePublication(out->publications[i]);
      view[message.topic].twin = message.payload;
    }
    out->Clear();
  };
  Status walked = eventlog::ForEachEvent(reader, 0, [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
    if ((limit.last_seq && row.seq > *limit.last_seq) || (limit.last_wall_ns && row.wall_ns > *limit.last_wall_ns)) return false;
    const auto clock = clock_of(row.wall_ns);
    firmware::BridgeTick(state.get(), clock, out.get());
    if (event.has_can_frame()) {
      const auto frame = bus::ToFirmwareFrame(event.can_frame());
      if (frame && !FromTheBridge(*frame)) firmware::BridgeOnCanFrame(state.get(), *frame, clock, out.get());
    } else if (event.has_mqtt()) {
      const auto& m = event.mqtt();
      if (bus::IsCommandTopic(m.topic())) {
        const auto decoded = bus::DecodeAppCommand(m.topic(), m.payload());
        if (const auto* command = std::get_if<firmware::BridgeCommand>(&decoded)) {
          firmware::BridgeOnCommand(state.get(), *command, clock, out.get());
        } else {
          firmware::BridgeOnInvalidCommand(state.get(), std::get<firmware::BridgeInvalid>(decoded), clock, out.get());
        }
      } else {
        if (m.topic() == bus::kBridgeStatusTopic && m.payload() == "online") {
          firmware::BridgeOnMqttConnected(state.get(), clock, out.get());
        }
        BridgeTopicView& topic = view[m.topic()];
        topic.published = m.payload();
        topic.published_seq = row.seq;
      }
    }
    keep();
    return true;
  });
  if (!walked.ok()) return walked;
  for (auto& [topic, v] : view) v.differs = !SamePayload(v.published, v.twin);
  return view;
}

}  // namespace packtwin::twin
