#include "packtwin/bus/socketcan.h"

#include <fmt/format.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::bus {
namespace {

// One frame of either size with its cmsg timestamps and drop counter.
struct Raw {
  canfd_frame frame{};
  ssize_t size = 0;
};

void ParseControl(msghdr& msg, ReceivedCanFrame* out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SO_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      out->kernel_wall_ns = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    } else if (c->cmsg_type == SO_RXQ_OVFL) {
      uint32_t count = 0;
      std::memcpy(&count, CMSG_DATA(c), sizeof count);
      out->drop_count = count;
    }
  }
}

v1::CanFrame ToEventFrame(const Raw& in, const std::string& channel) {
  v1::CanFrame out;
  out.set_channel(channel);
  const canid_t id = in.frame.can_id;
  out.set_extended((id & CAN_EFF_FLAG) != 0);
  out.set_rtr((id & CAN_RTR_FLAG) != 0);
  out.set_error((id & CAN_ERR_FLAG) != 0);
  out.set_id(out.error() ? (id & CAN_ERR_MASK) : out.extended() ? (id & CAN_EFF_MASK) : (id & CAN_SFF_MASK));
  const bool fd = in.size == static_cast<ssize_t>(CANFD_MTU);
  out.set_fd(fd);
  const uint8_t max_len = fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN;
  const uint8_t len = std::min(in.frame.len, max_len);
  if (fd) {
    out.set_fd_flags(in.frame.flags);
    // The kernel hands canonical FD lengths; anything else would be a driver bug.
    const uint32_t dlc = eventlog::FdLenToDlc(len);
    out.set_dlc(dlc <= eventlog::kMaxDlc ? dlc : eventlog::kMaxDlc);
  } else {
    // A classic frame's raw DLC 9..15 travels in len8_dlc.
    const auto* classic = reinterpret_cast<const can_frame*>(&in.frame);
    out.set_dlc(len == CAN_MAX_DLEN && classic->len8_dlc > CAN_MAX_DLEN ? classic->len8_dlc : len);
  }
  if (!out.rtr()) out.set_data(std::string(reinterpret_cast<const char*>(in.frame.data), len));
  out.set_direction(v1::DIRECTION_RX);
  return out;
}

void SetCaptureOptions(int fd) {
  const can_err_mask_t all_errors = CAN_ERR_MASK;
  ::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &all_errors, sizeof all_errors);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  const int rcvbuf = 8 << 20;  // ride out bursts while the log commits
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
}

}  // namespace

bool SocketCanAvailable() {
  const int fd = ::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

Result<CanSocket> CanSocket::Open(const std::string& interface, Use use) {
  const int flags = SOCK_RAW | SOCK_CLOEXEC | (use == Use::kCapture ? SOCK_NONBLOCK : 0);
  const int fd = ::socket(PF_CAN, flags, CAN_RAW);
  if (fd < 0) {
    return Status::IoError(fmt::format("{}: no SocketCAN on this machine ({}); use slcan:/dev/ttyACM0 or load the can "
                                     "kernel modules",
                                     interface, std::strerror(errno)));
  }
  CanSocket socket(fd, interface);
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", interface.c_str());
  if (::ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
    return Status::NotFound(fmt::format("{}: no such CAN interface ({})", interface, std::strerror(errno)));
  }
  const int index = ifr.ifr_ifindex;
  if (use == Use::kCapture) {
    // Take FD frames when the interface carries them (its MTU says so).
    if (::ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == static_cast<int>(CANFD_MTU)) {
      const int on = 1;
      socket.fd_frames_ = ::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof on) == 0;
    }
    SetCaptureOptions(fd);
  }
  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = index;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    return Status::IoError(fmt::format("{}: cannot bind: {}", interface, std::strerror(errno)));
  }
  return socket;
}

CanSocket::CanSocket(CanSocket&& other) noexcept
    : fd_(other.fd_), interface_(std::move(other.interface_)), fd_frames_(other.fd_frames_) {
  other.fd_ = -1;
}

CanSocket& CanSocket::operator=(CanSocket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    interface_ = std::move(other.interface_);
    fd_frames_ = other.fd_frames_;
    other.fd_ = -1;
  }
  return *this;
}

CanSocket::~CanSocket() { Close(); }

void CanSocket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<std::optional<ReceivedCanFrame>> CanSocket::Read() {
  // Bounded: a frame of the wrong size (none the kernel sends) is skipped, at most a few.
  for (int attempt = 0; attempt < 16; ++attempt) {
    Raw raw;
    iovec iov{&raw.frame, sizeof raw.frame};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(uint32_t))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    raw.size = ::recvmsg(fd_, &msg, 0);
    if (raw.size < 0) {
      if (errno == EAGAIN || errno == EINTR) return std::optional<ReceivedCanFrame>();
      return Status::IoError(fmt::format("{}: read failed: {}", interface_, std::strerror(errno)));
    }
    if (raw.size != static_cast<ssize_t>(CAN_MTU) && raw.size != static_cast<ssize_t>(CANFD_MTU)) continue;
    ReceivedCanFrame out;
    ParseControl(msg, &out);
    out.frame = ToEventFrame(raw, interface_);
    return std::optional<ReceivedCanFrame>(std::move(out));
  }
  return std::optional<ReceivedCanFrame>();
}

Status CanSocket::Write(const v1::CanFrame& in) {
  if (in.fd()) return Status::Ok();
  can_frame frame{};
  frame.can_id = in.id() | (in.extended() ? CAN_EFF_FLAG : 0u) | (in.rtr() ? CAN_RTR_FLAG : 0u);
  frame.len = static_cast<uint8_t>(std::min<size_t>(in.data().size(), CAN_MAX_DLEN));
  std::memcpy(frame.data, in.data().data(), frame.len);
  if (::write(fd_, &frame, sizeof frame) != static_cast<ssize_t>(sizeof frame)) {
    return Status::IoError(fmt::format("{}: CAN write failed: {}", interface_, std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace packtwin::bus
