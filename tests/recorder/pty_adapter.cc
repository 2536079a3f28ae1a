#include "pty_adapter.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace packtwin::testing {

PtyAdapter::PtyAdapter() {
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) throw std::runtime_error("no pty");
  device_ = ptsname(master_);
  // The slave must not echo or translate what the adapter sends before the
  // recorder opens it.
  const int slave = ::open(device_.c_str(), O_RDWR | O_NOCTTY);
  termios tio{};
  tcgetattr(slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(slave, TCSANOW, &tio);
  ::close(slave);
}

PtyAdapter::~PtyAdapter() { Unplug(); }

void PtyAdapter::Unplug() {
  if (master_ >= 0) ::close(master_);
  master_ = -1;
}

void PtyAdapter::Send(const std::string& bytes) {
  size_t done = 0;
  // Gives up after about 5 s without progress, or at once when the reader is gone.
  for (int idle = 0; idle < 500 && done < bytes.size();) {
    const ssize_t wrote = ::write(master_, bytes.data() + done, bytes.size() - done);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      idle = 0;
    } else if (wrote < 0 && errno != EAGAIN && errno != EINTR) {
      return;
    } else {
      pollfd pfd{master_, POLLOUT, 0};
      ::poll(&pfd, 1, 10);
      ++idle;
    }
  }
}

std::vector<std::string> PtyAdapter::ReadCommands(int timeout_ms) {
  std::vector<std::string> commands;
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    pollfd pfd{master_, POLLIN, 0};
    ::poll(&pfd, 1, 10);
    if ((pfd.revents & POLLIN) != 0) {
      char buffer[256];
      const ssize_t got = ::read(master_, buffer, sizeof buffer);
      if (got > 0) pending_.append(buffer, static_cast<size_t>(got));
    }
    // With no slave open yet the master reads EIO and polls as hung up: wait.
    if ((pfd.revents & POLLHUP) != 0) usleep(10'000);
    size_t cr = 0;
    while ((cr = pending_.find('\r')) != std::string::npos) {
      commands.push_back(pending_.substr(0, cr));
      pending_.erase(0, cr + 1);
    }
    if (!commands.empty() && pending_.empty()) break;
  }
  return commands;
}

std::vector<std::string> PtyAdapter::ServeSetup(const std::vector<std::string>& refuse, int timeout_ms) {
  std::vector<std::string> seen;
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    for (const auto& command : ReadCommands(50)) {
      seen.push_back(command);
      const bool refused = std::find(refuse.begin(), refuse.end(), command) != refuse.end();
      Send(refused ? "\a" : "\r");
      if (command == "O") return seen;
    }
  }
  return seen;
}

std::string SlcanFrame(uint32_t id, const std::string& hex_data, int timestamp_ms) {
  std::string line = fmt::format("t{:03X}{}{}", id, hex_data.size() / 2, hex_data);
  if (timestamp_ms >= 0) line += fmt::format("{:04X}", timestamp_ms);
  return line + "\r";
}

}  // namespace packtwin::testing
