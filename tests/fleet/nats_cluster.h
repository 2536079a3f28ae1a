// Real nats-server processes for the fleet tests: a JetStream cluster on
// free 127.0.0.1 ports, configured from the shipped deploy/nats/node.conf.in,
// stopped and removed at scope end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "test_support.h"

namespace packtwin::testing {

class NatsCluster {
 public:
  // `nodes` servers (1: a single JetStream server, no routes); `max_payload`
  // replaces the template's when not empty ("64KB"); `extra` is appended to
  // every node's configuration (an authorization block).
  explicit NatsCluster(int nodes, const std::string& max_payload = "", const std::string& extra = "");
  ~NatsCluster();

  bool ready() const { return ready_; }
  const std::string& why_not_ready() const { return why_; }
  // nats://127.0.0.1:P1,127.0.0.1:P2,...
  std::string Url() const;
  std::string UrlOf(int node) const;
  void Kill(int node);        // SIGKILL, as a crash
  bool Restart(int node);     // the same configuration and store again

 private:
  bool Start(int node);
  bool WaitForLeader(int timeout_ms);
  TempDir dir_;
  std::vector<uint16_t> client_ports_;
  std::vector<std::string> configs_;
  std::vector<std::unique_ptr<Child>> servers_;
  bool ready_ = false;
  std::string why_;
};

}  // namespace packtwin::testing
