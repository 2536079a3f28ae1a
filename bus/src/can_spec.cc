#include "packtwin/bus/can_spec.h"

#include <array>

namespace packtwin::bus {
namespace {
// The bit rates slcan adapters can be set to (commands S0..S8).
constexpr std::array<uint32_t, 9> kSlcanBitrates = {10'000,  20'000,  50'000,  100'000,  125'000,
                                                    250'000, 500'000, 800'000, 1'000'000};
constexpr size_t kMaxDeviceChars = 255;
}  // namespace

std::variant<CanBusSpec, ParseError> ParseCanBusSpec(std::string_view text) {
  TextCursor cur(text);
  CanBusSpec spec;
  if (!cur.Consume("slcan:")) {
    if (text.empty() || text.size() > 15 || text.find_first_of("/:@ ") != std::string_view::npos) {
      return cur.Error("a SocketCAN interface name (e.g. can0) or slcan:/dev/ttyACM0[@500000]");
    }
    spec.device = std::string(text);
    return spec;
  }
  spec.kind = CanBusKind::kSlcan;
  const size_t device_pos = cur.position();
  const std::string_view rest = cur.Rest();
  const size_t at = rest.find('@');
  spec.device = std::string(rest.substr(0, at));
  if (spec.device.empty() || spec.device.size() > kMaxDeviceChars) return cur.ErrorAt(device_pos, "a serial device path");
  if (at == std::string_view::npos) return spec;
  cur.Advance(at + 1);
  auto bitrate = cur.Decimal(7);
  if (!bitrate || !cur.AtEnd()) return cur.Error("a CAN bit rate in bit/s, e.g. 500000");
  for (uint32_t allowed : kSlcanBitrates) {
    if (allowed == *bitrate) {
      spec.bitrate_bps = allowed;
      return spec;
    }
  }
  return cur.ErrorAt(device_pos + at + 1, "a bit rate slcan supports: 10000, 20000, 50000, 100000, 125000, 250000, "
                                           "500000, 800000 or 1000000");
}

}  // namespace packtwin::bus
