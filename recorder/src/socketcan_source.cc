#include "packtwin/recorder/socketcan_source.h"

#include <fmt/format.h>
#include <poll.h>

#include <nlohmann/json.hpp>

namespace packtwin::recorder {

SocketCanSource::SocketCanSource(std::string interface) : interface_(std::move(interface)) {}

std::string SocketCanSource::config_json() const {
  const bool fd_frames = socket_ && socket_->fd_frames();
  return nlohmann::json{{"kind", "socketcan"}, {"interface", interface_}, {"fd_frames", fd_frames}}.dump();
}

Status SocketCanSource::Start() {
  auto socket = bus::CanSocket::Open(interface_, bus::CanSocket::Use::kCapture);
  if (!socket.ok()) return socket.status();
  socket_.emplace(std::move(*socket));
  return Status::Ok();
}

std::vector<int> SocketCanSource::fds() const { return socket_ ? std::vector<int>{socket_->fd()} : std::vector<int>{}; }

Status SocketCanSource::Emit(bus::ReceivedCanFrame received, const EventSink& sink) {
  v1::Event event = NewEvent(interface_);
  if (received.kernel_wall_ns != 0) {
    // Kernel timestamps are realtime: the wall time; capture time keeps the offset.
    event.set_capture_time_ns(event.capture_time_ns() - (event.wall_time_ns() - received.kernel_wall_ns));
    event.set_wall_time_ns(received.kernel_wall_ns);
  }
  if (received.drop_count && *received.drop_count != last_drop_count_) {
    const uint32_t lost = *received.drop_count - last_drop_count_;
    v1::Event gap = event;
    auto* g = gap.mutable_gap();
    g->set_source(interface_);
    g->set_frames_lost(lost);
    g->set_total_lost(*received.drop_count);
    g->set_reason("the kernel socket queue overflowed (SO_RXQ_OVFL)");
    stats_.frames_lost += lost;
    ++stats_.gaps;
    last_drop_count_ = *received.drop_count;
    auto seq = sink(std::move(gap));
    if (!seq.ok()) return seq.status();
  }
  *event.mutable_can_frame() = std::move(received.frame);
  ++stats_.events;
  auto seq = sink(std::move(event));
  return seq.ok() ? Status::Ok() : seq.status();
}

Status SocketCanSource::OnReadable(int /*fd*/, short revents, const EventSink& sink) {
  if (!socket_) return Status::InvalidArgument(fmt::format("{}: not started", interface_));
  // Bounded: at most 256 frames per wake-up, then the other sources get a turn.
  for (int pass = 0; pass < 256; ++pass) {
    auto received = socket_->Read();
    if (!received.ok()) return received.status();
    if (!*received) break;
    PACKTWIN_RETURN_IF_ERROR(Emit(std::move(**received), sink));
  }
  if ((revents & (POLLHUP | POLLERR)) != 0) return Status::IoError(fmt::format("{}: interface went down", interface_));
  return Status::Ok();
}

void SocketCanSource::Stop() { socket_.reset(); }

}  // namespace packtwin::recorder
