// The cuttable TCP link of nats_cluster.h: one thread accepts and pumps
// bytes both ways with poll(); Cut() closes every socket, Restore() listens again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "nats_cluster.h"

namespace packtwin::testing {
namespace {

int Listen(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ConnectTo(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

struct CuttableLink::State {
  uint16_t target = 0;
  uint16_t port = 0;
  std::mutex mutex;
  uint64_t generation = 0;  // bumped by every cut
  std::atomic<bool> done{false};
  int listener = -1;
  std::vector<std::pair<int, int>> pairs;  // client side, target side
  std::thread pump;

  void CloseAll() {
    for (auto [a, b] : pairs) {
      close(a);
      close(b);
    }
    pairs.clear();
    if (listener >= 0) close(listener);
    listener = -1;
  }

  // Moves what one side has to the other; false when either side is gone.
  static bool Forward(int from, int to) {
    char buffer[65536];
    const ssize_t n = read(from, buffer, sizeof buffer);
    if (n <= 0) return false;
    for (ssize_t sent = 0; sent < n;) {
      const ssize_t w = write(to, buffer + sent, static_cast<size_t>(n - sent));
      if (w <= 0) return false;
      sent += w;
    }
    return true;
  }

  void Run() {
    while (!done) {
      std::unique_lock lock(mutex);
      const uint64_t seen = generation;
      const int listening = listener;
      const std::vector<std::pair<int, int>> snapshot = pairs;
      lock.unlock();
      std::vector<pollfd> fds;
      for (auto [a, b] : snapshot) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      if (listening >= 0) fds.push_back({listening, POLLIN, 0});
      if (fds.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      lock.lock();
      if (generation != seen) continue;  // cut meanwhile: those sockets are closed
      std::vector<std::pair<int, int>> alive;
      for (size_t i = 0; i < snapshot.size(); ++i) {
        const auto [a, b] = snapshot[i];
        bool ok = true;
        if (fds[2 * i].revents & (POLLIN | POLLHUP | POLLERR)) ok = Forward(a, b);
        if (ok && (fds[2 * i + 1].revents & (POLLIN | POLLHUP | POLLERR))) ok = Forward(b, a);
        if (ok) {
          alive.emplace_back(a, b);
        } else {
          close(a);
          close(b);
        }
      }
      if (listening >= 0 && (fds.back().revents & POLLIN)) {
        const int client = accept(listening, nullptr, nullptr);
        const int server = client >= 0 ? ConnectTo(target) : -1;
        if (server >= 0) {
          alive.emplace_back(client, server);
        } else if (client >= 0) {
          close(client);
        }
      }
      pairs = std::move(alive);
    }
  }
};

CuttableLink::CuttableLink(uint16_t target_port) : state_(std::make_unique<State>()) {
  state_->target = target_port;
  port_ = FreeTcpPort();
  state_->port = port_;
  state_->listener = Listen(port_);
  state_->pump = std::thread([state = state_.get()] { state->Run(); });
}

CuttableLink::~CuttableLink() {
  state_->done = true;
  state_->pump.join();
  state_->CloseAll();
}

void CuttableLink::Cut() {
  std::lock_guard lock(state_->mutex);
  ++state_->generation;
  state_->CloseAll();
}

void CuttableLink::Restore() {
  std::lock_guard lock(state_->mutex);
  if (state_->listener < 0) state_->listener = Listen(state_->port);
}

}  // namespace packtwin::testing
