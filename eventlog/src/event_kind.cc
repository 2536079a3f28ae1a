#include "packtwin/eventlog/event_kind.h"

#include <array>
#include <utility>

namespace packtwin::eventlog {
namespace {

constexpr std::array<std::pair<int, std::string_view>, 9> kKindNames = {{
    {v1::Event::kCanFrame, "can_frame"},
    {v1::Event::kModbus, "modbus"},
    {v1::Event::kRelayChange, "relay_change"},
    {v1::Event::kSensorSample, "sensor_sample"},
    {v1::Event::kAnnotation, "annotation"},
    {v1::Event::kCaptureStart, "capture_start"},
    {v1::Event::kCaptureStop, "capture_stop"},
    {v1::Event::kGap, "gap"},
    {v1::Event::kMqtt, "mqtt"},
}};

constexpr int64_t kAlfasparkNodeMask = 0x7F;

}  // namespace

std::optional<std::string_view> EventKindName(int kind) {
  for (const auto& [number, name] : kKindNames) {
    if (number == kind) return name;
  }
  return std::nullopt;
}

std::optional<int64_t> IndexedCanId(const v1::Event& event) {
  if (!event.has_can_frame()) return std::nullopt;
  return static_cast<int64_t>(event.can_frame().id());
}

std::optional<int64_t> IndexedNode(const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kCanFrame: {
      const auto& frame = event.can_frame();
      if (frame.extended() || frame.error()) return std::nullopt;
      return static_cast<int64_t>(frame.id()) & kAlfasparkNodeMask;
    }
    case v1::Event::kRelayChange:
      return static_cast<int64_t>(event.relay_change().node());
    case v1::Event::kSensorSample:
      return static_cast<int64_t>(event.sensor_sample().node());
    default:
      return std::nullopt;
  }
}

}  // namespace packtwin::eventlog
