#include "packtwin/recorder/slcan_source.h"

#include <fmt/format.h>
#include <poll.h>

#include <nlohmann/json.hpp>

namespace packtwin::recorder {
namespace {

constexpr uint32_t kSerialBaud = 115200;  // ignored by USB CDC adapters and ptys
constexpr int64_t kAdapterWrapMs = 60'000;
// Re-anchor when adapter and host clocks disagree by more than this.
constexpr int64_t kMaxDriftNs = 500'000'000;
constexpr int64_t kReplyTimeoutNs = 500'000'000;

}  // namespace

SlcanSource::SlcanSource(bus::CanBusSpec spec) : spec_(std::move(spec)), name_("slcan:" + spec_.device) {}

std::string SlcanSource::config_json() const {
  return nlohmann::json{{"kind", "slcan"},
                        {"device", spec_.device},
                        {"bitrate_bps", spec_.bitrate_bps},
                        {"adapter_timestamps", timestamps_}}
      .dump();
}

Result<bool> SlcanSource::Command(const std::string& command) {
  PACKTWIN_RETURN_IF_ERROR(port_->Write(command + "\r").Context(name_ + ": "));
  const int64_t deadline_ns = bus::MonotonicNs() + kReplyTimeoutNs;
  uint8_t byte = 0;
  // Bounded by the deadline; anything before the reply (a stray frame) is skipped.
  while (bus::MonotonicNs() < deadline_ns) {
    pollfd pfd{port_->fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    auto got = port_->Read(&byte, 1);
    if (!got.ok()) return got.status();
    if (*got == 0) continue;
    if (byte == '\r') return true;
    if (byte == 0x07) return false;
  }
  return Status::IoError(fmt::format("{}: the adapter did not answer '{}' within 500 ms (is it an slcan adapter?)",
                                   name_, command));
}

Status SlcanSource::Start() {
  auto port = bus::SerialPort::Open(spec_.device, kSerialBaud);
  if (!port.ok()) return port.status();
  port_ = std::make_unique<bus::SerialPort>(std::move(*port));
  // Close first: an adapter left open by a crashed program refuses S commands
  // (and answers BEL when it was already closed, which is fine).
  auto closed = Command(bus::kSlcanClose);
  if (!closed.ok()) return closed.status();
  auto rate = Command(bus::SlcanBitrateCommand(spec_.bitrate_bps));
  if (!rate.ok()) return rate.status();
  if (!*rate) return Status::InvalidArgument(fmt::format("{}: the adapter refused bit rate {}", name_, spec_.bitrate_bps));
  auto stamps = Command(bus::kSlcanTimestampsOn);  // adapters without a clock say BEL: record host time then
  if (!stamps.ok()) return stamps.status();
  timestamps_ = *stamps;
  auto opened = Command(bus::kSlcanOpen);
  if (!opened.ok()) return opened.status();
  if (!*opened) return Status::InvalidArgument(fmt::format("{}: the adapter refused to open the channel", name_));
  return Status::Ok();
}

std::vector<int> SlcanSource::fds() const { return port_ ? std::vector<int>{port_->fd()} : std::vector<int>{}; }

int64_t SlcanSource::CaptureNs(const bus::SlcanFrame& frame, int64_t host_ns) {
  if (!frame.has_timestamp) return host_ns;
  int64_t adapter_ms = frame.timestamp_ms;
  // Unwrap the 60 s counter past the last frame.
  // (Arithmetic, not a loop: after a day the counter has wrapped 1440 times.)
  if (anchored_ && adapter_ms < last_adapter_ms_) {
    adapter_ms += ((last_adapter_ms_ - adapter_ms + kAdapterWrapMs - 1) / kAdapterWrapMs) * kAdapterWrapMs;
  }
  last_adapter_ms_ = adapter_ms;
  const int64_t estimate = anchor_host_ns_ + (adapter_ms - anchor_adapter_ms_) * 1'000'000;
  if (!anchored_ || estimate > host_ns + kMaxDriftNs || estimate < host_ns - kMaxDriftNs) {
    anchored_ = true;
    anchor_host_ns_ = host_ns;
    anchor_adapter_ms_ = adapter_ms;
    return host_ns;
  }
  return estimate;
}

Status SlcanSource::Emit(const bus::SlcanItem& item, const EventSink& sink) {
  if (const auto* frame = std::get_if<bus::SlcanFrame>(&item)) {
    v1::Event event = NewEvent(name_);
    const int64_t host_ns = event.capture_time_ns();
    const int64_t capture_ns = CaptureNs(*frame, host_ns);
    event.set_capture_time_ns(capture_ns);
    event.set_wall_time_ns(event.wall_time_ns() + (capture_ns - host_ns));
    *event.mutable_can_frame() = frame->frame;
    event.mutable_can_frame()->set_channel(name_);
    event.mutable_can_frame()->set_direction(v1::DIRECTION_RX);
    ++stats_.events;
    auto seq = sink(std::move(event));
    return seq.ok() ? Status::Ok() : seq.status();
  }
  if (const auto* bad = std::get_if<bus::SlcanMalformed>(&item)) {
    // Garbled bytes are recorded, never dropped silently.
    ++stats_.malformed;
    v1::Event event = NewEvent(name_);
    event.mutable_annotation()->set_text(fmt::format("{}: malformed slcan line '{}': {}", name_, bad->text, bad->reason));
    auto seq = sink(std::move(event));
    return seq.ok() ? Status::Ok() : seq.status();
  }
  return Status::Ok();
}

Status SlcanSource::OnReadable(int /*fd*/, short revents, const EventSink& sink) {
  uint8_t buffer[4096];
  // Bounded: drain at most 64 reads per wake-up so other sources get their turn.
  for (int pass = 0; pass < 64; ++pass) {
    auto got = port_->Read(buffer, sizeof buffer);
    if (!got.ok()) return got.status().Context(name_ + ": ");
    if (*got == 0) break;
    Status status = Status::Ok();
    parser_.Feed(buffer, *got, [&](const bus::SlcanItem& item) {
      if (status.ok()) status = Emit(item, sink);
    });
    PACKTWIN_RETURN_IF_ERROR(status);
  }
  if ((revents & (POLLHUP | POLLERR)) != 0) {
    return Status::IoError(fmt::format("{}: the adapter went away (device unplugged or closed)", name_));
  }
  return Status::Ok();
}

void SlcanSource::Stop() {
  if (port_) (void)port_->Write("C\r");
}

}  // namespace packtwin::recorder
