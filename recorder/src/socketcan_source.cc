#include "packtwin/recorder/socketcan_source.h"

#include <fmt/format.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::recorder {
namespace {

// One frame of either size with its cmsg timestamps and drop counter.
struct Received {
  canfd_frame frame{};
  ssize_t size = 0;
  int64_t kernel_ns = 0;
  bool has_drop_count = false;
  uint32_t drop_count = 0;
};

void ParseControl(msghdr& msg, Received* out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SO_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      out->kernel_ns = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    } else if (c->cmsg_type == SO_RXQ_OVFL) {
      std::memcpy(&out->drop_count, CMSG_DATA(c), sizeof out->drop_count);
      out->has_drop_count = true;
    }
  }
}

v1::CanFrame ToEventFrame(const Received& in, const std::string& channel) {
  v1::CanFrame out;
  out.set_channel(channel);
  const canid_t id = in.frame.can_id;
  out.set_extended((id & CAN_EFF_FLAG) != 0);
  out.set_rtr((id & CAN_RTR_FLAG) != 0);
  out.set_error((id & CAN_ERR_FLAG) != 0);
  out.set_id(out.error() ? (id & CAN_ERR_MASK) : out.extended() ? (id & CAN_EFF_MASK) : (id & CAN_SFF_MASK));
  const bool fd = in.size == static_cast<ssize_t>(CANFD_MTU);
  out.set_fd(fd);
  const uint8_t len = in.frame.len > (fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN) ? (fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN) : in.frame.len;
  if (fd) {
    out.set_fd_flags(in.frame.flags);
    // The kernel hands canonical FD lengths; anything else would be a driver bug.
    const uint32_t dlc = FdLenToDlc(len);
    out.set_dlc(dlc <= kMaxDlc ? dlc : kMaxDlc);
  } else {
    // A classic frame's raw DLC 9..15 travels in len8_dlc.
    const auto* classic = reinterpret_cast<const can_frame*>(&in.frame);
    out.set_dlc(len == CAN_MAX_DLEN && classic->len8_dlc > CAN_MAX_DLEN ? classic->len8_dlc : len);
  }
  if (!out.rtr()) out.set_data(std::string(reinterpret_cast<const char*>(in.frame.data), len));
  out.set_direction(v1::DIRECTION_RX);
  return out;
}

}  // namespace

bool SocketCanAvailable() {
  const int fd = ::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

SocketCanSource::SocketCanSource(std::string interface) : interface_(std::move(interface)) {}

SocketCanSource::~SocketCanSource() { Stop(); }

std::string SocketCanSource::config_json() const {
  return nlohmann::json{{"kind", "socketcan"}, {"interface", interface_}, {"fd_frames", fd_frames_}}.dump();
}

Status SocketCanSource::Start() {
  fd_ = ::socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
  if (fd_ < 0) {
    return Status::Error(fmt::format("{}: no SocketCAN on this machine ({}); use slcan:/dev/ttyACM0 or load the can "
                                     "kernel modules",
                                     interface_, std::strerror(errno)));
  }
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", interface_.c_str());
  if (::ioctl(fd_, SIOCGIFINDEX, &ifr) < 0) {
    return Status::Error(fmt::format("{}: no such CAN interface ({})", interface_, std::strerror(errno)));
  }
  const int index = ifr.ifr_ifindex;
  // Take FD frames when the interface carries them (its MTU says so).
  if (::ioctl(fd_, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == static_cast<int>(CANFD_MTU)) {
    const int on = 1;
    fd_frames_ = ::setsockopt(fd_, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof on) == 0;
  }
  const can_err_mask_t all_errors = CAN_ERR_MASK;
  ::setsockopt(fd_, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &all_errors, sizeof all_errors);
  const int on = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  ::setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  const int rcvbuf = 8 << 20;  // ride out bursts while the log commits
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = index;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    return Status::Error(fmt::format("{}: cannot bind: {}", interface_, std::strerror(errno)));
  }
  return Status::Ok();
}

std::vector<int> SocketCanSource::fds() const { return fd_ >= 0 ? std::vector<int>{fd_} : std::vector<int>{}; }

Status SocketCanSource::OnReadable(int /*fd*/, short revents, const EventSink& sink) {
  // Bounded: at most 256 frames per wake-up, then the other sources get a turn.
  for (int pass = 0; pass < 256; ++pass) {
    Received in;
    iovec iov{&in.frame, sizeof in.frame};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(uint32_t))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    in.size = ::recvmsg(fd_, &msg, 0);
    if (in.size < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      return Status::Error(fmt::format("{}: read failed: {}", interface_, std::strerror(errno)));
    }
    if (in.size != static_cast<ssize_t>(CAN_MTU) && in.size != static_cast<ssize_t>(CANFD_MTU)) continue;
    ParseControl(msg, &in);
    v1::Event event = NewEvent(interface_);
    if (in.kernel_ns != 0) {
      // Kernel timestamps are realtime: the wall time; capture time keeps the offset.
      event.set_capture_time_ns(event.capture_time_ns() - (event.wall_time_ns() - in.kernel_ns));
      event.set_wall_time_ns(in.kernel_ns);
    }
    if (in.has_drop_count && in.drop_count != last_drop_count_) {
      v1::Event gap = event;
      auto* g = gap.mutable_gap();
      g->set_source(interface_);
      g->set_frames_lost(in.drop_count - last_drop_count_);
      g->set_total_lost(in.drop_count);
      g->set_reason("the kernel socket queue overflowed (SO_RXQ_OVFL)");
      stats_.frames_lost += in.drop_count - last_drop_count_;
      ++stats_.gaps;
      last_drop_count_ = in.drop_count;
      auto seq = sink(std::move(gap));
      if (!seq.ok()) return seq.status();
    }
    *event.mutable_can_frame() = ToEventFrame(in, interface_);
    ++stats_.events;
    auto seq = sink(std::move(event));
    if (!seq.ok()) return seq.status();
  }
  if ((revents & (POLLHUP | POLLERR)) != 0) return Status::Error(fmt::format("{}: interface went down", interface_));
  return Status::Ok();
}

void SocketCanSource::Stop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace packtwin::recorder
