// A real mosquitto broker for a test: Debian's /usr/sbin/mosquitto on a free
// 127.0.0.1 port with a generated configuration, stopped at scope end.
#pragma once

#include <memory>
#include <string>

#include "test_support.h"

namespace packtwin::testing {

class MosquittoBroker {
 public:
  MosquittoBroker();
  ~MosquittoBroker();
  bool ready() const { return ready_; }
  uint16_t port() const { return port_; }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }
  void Kill();      // SIGKILL, as a crash
  bool Restart();   // the same port again

 private:
  bool Start();
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> server_;
  bool ready_ = false;
};

}  // namespace packtwin::testing
