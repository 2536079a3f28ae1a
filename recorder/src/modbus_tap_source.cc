#include "packtwin/recorder/modbus_tap_source.h"

#include <fmt/format.h>
#include <poll.h>

#include <nlohmann/json.hpp>

namespace packtwin::recorder {
namespace {
// The pack waits 100 ms for its BMS; a tap behind a USB adapter sees replies
// late, so it allows more before calling a request unanswered.
constexpr int64_t kTapReplyTimeoutNs = 500'000'000;
}  // namespace

bool ParseTapSpec(const std::string& text, TapSpec* spec, std::string* error) {
  const size_t at = text.rfind('@');
  spec->device = text.substr(0, at);
  if (spec->device.empty()) {
    *error = fmt::format("--modbus-tap '{}': expected a serial device like /dev/ttyUSB0[@9600]", text);
    return false;
  }
  if (at == std::string::npos) return true;
  const std::string baud = text.substr(at + 1);
  if (baud.empty() || baud.size() > 7 || baud.find_first_not_of("0123456789") != std::string::npos) {
    *error = fmt::format("--modbus-tap '{}': expected a baud rate after '@', e.g. @9600", text);
    return false;
  }
  spec->baud = static_cast<uint32_t>(std::stoul(baud));
  return true;
}

ModbusTapSource::ModbusTapSource(TapSpec spec)
    : spec_(std::move(spec)),
      name_("modbus-rtu:" + spec_.device),
      splitter_(spec_.baud),
      pairer_(kTapReplyTimeoutNs) {}

std::string ModbusTapSource::config_json() const {
  return nlohmann::json{{"kind", "modbus-rtu-tap"}, {"device", spec_.device}, {"baud", spec_.baud},
                        {"silence_us", splitter_.silence_ns() / 1000}}
      .dump();
}

Status ModbusTapSource::Start() {
  auto port = SerialPort::Open(spec_.device, spec_.baud);
  if (!port.ok()) return port.status();
  port_ = std::make_unique<SerialPort>(std::move(*port));
  wall_minus_mono_ns_ = WallNs() - MonotonicNs();
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
    if (status == v1::MODBUS_MALFORMED || status == v1::MODBUS_UNPAIRED) ++stats_.malformed;
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
    PACKTWIN_RETURN_IF_ERROR(Record(splitter_.Feed(buffer, *got, MonotonicNs()), sink));
  }
  if ((revents & (POLLHUP | POLLERR)) != 0) {
    return Status::Error(fmt::format("{}: the tap adapter went away (device unplugged or closed)", name_));
  }
  return Status::Ok();
}

Status ModbusTapSource::OnTick(const EventSink& sink) {
  const int64_t now = MonotonicNs();
  PACKTWIN_RETURN_IF_ERROR(Record(splitter_.Tick(now), sink));
  return Record(pairer_.Tick(now), sink);
}

void ModbusTapSource::Stop() {}

}  // namespace packtwin::recorder
