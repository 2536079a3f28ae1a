#include "live_print.h"

#include <fmt/format.h>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/base/hex.h"
#include "packtwin/twin/frame_signals.h"

namespace packtwin::cli {
namespace {

constexpr size_t kMaxPayloadShown = 160;

std::string Stamp(int64_t wall_ns) {
  const int64_t seconds = wall_ns / 1'000'000'000;
  int64_t micros = (wall_ns % 1'000'000'000) / 1000;
  if (micros < 0) micros = -micros;
  return fmt::format("({}.{:06})", seconds, micros);
}

std::string Printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, kMaxPayloadShown)) out += (c >= 0x20 && c < 0x7F) ? c : '.';
  if (text.size() > kMaxPayloadShown) out += "...";
  return out;
}

}  // namespace

std::string LivePrinter::CanLine(const v1::Event& event) {
  v1::CanFrame frame = event.can_frame();
  frame.set_channel(interfaces_.For(frame.channel()));
  std::string line = eventlog::FormatCandumpLine(event.wall_time_ns(), eventlog::CandumpStyle{}, frame);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  nlohmann::ordered_json described = nlohmann::ordered_json::object();
  twin::DescribeFrame(event, described);
  if (!described.contains("name")) return line;
  line += "  " + described["name"].get<std::string>();
  if (described.contains("decode")) return line + " (" + described["decode"].get<std::string>() + ")";
  for (const auto& [name, value] : described["signals"].items()) {
    const auto& values = described.contains("values") ? described["values"] : nlohmann::ordered_json::object();
    line += " " + name + "=" + (values.contains(name) ? values[name].get<std::string>() : value.dump());
  }
  return line;
}

std::string LivePrinter::Line(const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kCanFrame:
      return CanLine(event);
    case v1::Event::kModbus: {
      const auto& m = event.modbus();
      return fmt::format("{} modbus {} {} -> {} {} {:.1f} ms", Stamp(event.wall_time_ns()), m.port(), HexBytes(m.request()),
                         m.reply().empty() ? "-" : HexBytes(m.reply()), v1::ModbusStatus_Name(m.status()),
                         m.latency_us() / 1000.0);
    }
    case v1::Event::kMqtt: {
      const auto& m = event.mqtt();
      return fmt::format("{} mqtt {} {} {}", Stamp(event.wall_time_ns()), m.direction() == v1::DIRECTION_TX ? "out" : "in",
                         m.topic(), Printable(m.payload()));
    }
    case v1::Event::kGap:
      return fmt::format("{} gap {}: {} frames lost ({})", Stamp(event.wall_time_ns()), event.gap().source(),
                         event.gap().frames_lost(), event.gap().reason());
    default:
      return "";
  }
}

}  // namespace packtwin::cli
