#include "mosquitto_broker.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace packtwin::testing {
namespace {

bool Accepts(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

}  // namespace

MosquittoBroker::MosquittoBroker() {
  port_ = FreeTcpPort();
  WriteFile(dir_.File("mosquitto.conf"), "listener " + std::to_string(port_) +
                                             " 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n");
  ready_ = Start();
}

MosquittoBroker::~MosquittoBroker() {
  if (server_) {
    server_->Signal(SIGTERM);
    server_->Wait(5'000);
  }
}

bool MosquittoBroker::Start() {
  const std::string binary = FileExists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
  server_ = std::make_unique<Child>(std::vector<std::string>{binary, "-c", dir_.File("mosquitto.conf")});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void MosquittoBroker::Kill() {
  if (!server_) return;
  server_->Signal(SIGKILL);
  server_->Wait(5'000);
  server_.reset();
}

bool MosquittoBroker::Restart() { return ready_ = Start(); }

}  // namespace packtwin::testing
