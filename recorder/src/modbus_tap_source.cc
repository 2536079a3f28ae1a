#include "packtwin/recorder/modbus_tap_source.h"

#include <fmt/format.h>
#include <poll.h>

#include <nlohmann/json.hpp>

#include "packtwin/base/time_spec.h"

namespace packtwin::recorder {

std::variant<TapSpec, ParseError> ParseTapSpec(std::string_view text) {
  TextCursor cur(text);
  TapSpec spec;
  const size_t comma = text.find(',');
  const std::string_view line = text.substr(0, comma);
  const size_t at = line.rfind('@');
  spec.device = std::string(line.substr(0, at));
  if (spec.device.empty()) return cur.ErrorAt(0, "a serial device");
  if (at != std::string_view::npos) {
    cur.Seek(at + 1);
    const auto baud = cur.Decimal(7);
    if (!baud || *baud == 0 || cur.position() != line.size()) return cur.ErrorAt(at + 1, "a baud rate after '@'");
    spec.baud = static_cast<uint32_t>(*baud);
  }
  if (comma == std::string_view::npos) return spec;
  const std::string_view option = text.substr(comma + 1);
  if (option.rfind("timeout=", 0) != 0) return cur.ErrorAt(comma + 1, "timeout=DURATION (the tap's only option)");
  const auto window_ms = ParseDurationMs(std::string(option.substr(8)), false, false);
  if (!window_ms || *window_ms <= 0) return cur.ErrorAt(comma + 9, "a positive duration like 500ms or 2s");
  spec.reply_window_ms = *window_ms;
  return spec;
}

ModbusTapSource::ModbusTapSource(TapSpec spec)
    : spec_(std::move(spec)),
      name_("modbus-rtu:" + spec_.device),
      splitter_(spec_.baud),
      pairer_(spec_.reply_window_ms * 1'000'000) {}

std::string ModbusTapSource::config_json() const {
  return nlohmann::json{{"kind", "modbus-rtu-tap"}, {"device", spec_.device}, {"baud", spec_.baud},
                        {"silence_us", splitter_.silence_ns() / 1000},
                        {"reply_window_ms", spec_.reply_window_ms}}
      .dump();
}

Status ModbusTapSource::Start() {
  auto port = bus::SerialPort::Open(spec_.device, spec_.baud);
  if (!port.ok()) return port.status();
  port_ = std::make_unique<bus::SerialPort>(std::move(*port));
  wall_minus_mono_ns_ = bus::WallNs() - bus::MonotonicNs();
  return Status::Ok();
}

std::vector<int> ModbusTapSource::fds() const { return port_ ? std::vector<int>{port_->fd()} : std::vector<int>{}; }

Status ModbusTapSource::Record(const std::vector<RtuExchange>& exchanges, const EventSink& sink) {
  for (const auto& settled : exchanges) {
    v1::Event event;
    event.set_source(name_);
    event.set_capture_time_ns(settled.at_ns);
    event.set_wall_time_ns(settled.at_ns + wall_minus_mono_ns_);
    *event.mutable_modbus() = settled.exchange;
    event.mutable_modbus()->set_port(spec_.device);
    event.mutable_modbus()->set_transport(v1::TRANSPORT_RTU);
    ++stats_.events;
    const auto status = settled.exchange.status();
    if (status == v1::MODBUS_MALFORMED) ++stats_.malformed;
    if (status == v1::MODBUS_UNPAIRED) ++stats_.unpaired;
    auto seq = sink(std::move(event));
    if (!seq.ok()) return seq.status();
  }
  return Status::Ok();
}

Status ModbusTapSource::Record(const std::vector<RtuFrame>& frames, const EventSink& sink) {
  for (const auto& frame : frames) PACKTWIN_RETURN_IF_ERROR(Record(pairer_.OnFrame(frame), sink));
  return Status::Ok();
}

Status ModbusTapSource::OnReadable(int /*fd*/, short revents, const EventSink& sink) {
  uint8_t buffer[1024];
  for (int pass = 0; pass < 16; ++pass) {
    auto got = port_->Read(buffer, sizeof buffer);
    if (!got.ok()) return got.status().Context(name_ + ": ");
    if (*got == 0) break;
    PACKTWIN_RETURN_IF_ERROR(Record(splitter_.Feed(buffer, *got, bus::MonotonicNs()), sink));
  }
  if ((revents & (POLLHUP | POLLERR)) != 0) {
    return Status::IoError(fmt::format("{}: the tap adapter went away (device unplugged or closed)", name_));
  }
  return Status::Ok();
}

Status ModbusTapSource::OnTick(const EventSink& sink) { return Record(splitter_.Tick(bus::MonotonicNs()), sink); }

// Bytes still in the splitter end with the recording (as silence would end
// them), then a request still waiting is recorded as such.
Status ModbusTapSource::Drain(const EventSink& sink) {
  const int64_t now = bus::MonotonicNs();
  PACKTWIN_RETURN_IF_ERROR(Record(splitter_.Flush(), sink));
  return Record(pairer_.Drain(now), sink);
}

void ModbusTapSource::Stop() {}

}  // namespace packtwin::recorder
