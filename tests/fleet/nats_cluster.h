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
  // Where leaf nodes connect: nats-leaf://127.0.0.1:P each.
  std::vector<std::string> LeafUrls() const;
  uint16_t LeafPort(int node) const { return leaf_ports_[static_cast<size_t>(node)]; }
  void Kill(int node);        // SIGKILL, as a crash
  bool Restart(int node);     // the same configuration and store again

 private:
  bool Start(int node);
  bool WaitForLeader(int timeout_ms);
  TempDir dir_;
  std::vector<uint16_t> client_ports_;
  std::vector<uint16_t> leaf_ports_;
  std::vector<std::string> configs_;
  std::vector<std::unique_ptr<Child>> servers_;
  bool ready_ = false;
  std::string why_;
};

// A bridge's leaf node (deploy/nats/leaf.conf.in): JetStream domain of its
// own, connected to `hub_urls` (nats-leaf://...).
class NatsLeaf {
 public:
  NatsLeaf(const std::string& domain, const std::vector<std::string>& hub_urls);
  ~NatsLeaf();
  bool ready() const { return ready_; }
  const std::string& why_not_ready() const { return why_; }
  std::string Url() const;
  // True once the log says the link to the hub is up `count` times.
  bool WaitForLinks(int count, int timeout_ms) const;

 private:
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> server_;
  bool ready_ = false;
  std::string why_;
};

// A TCP link that the test can cut: listens on a free port and forwards each
// connection to `target`; Cut() drops every connection and refuses new ones
// until Restore(), as a site's uplink going down.
class CuttableLink {
 public:
  explicit CuttableLink(uint16_t target_port);
  ~CuttableLink();
  uint16_t port() const { return port_; }
  void Cut();
  void Restore();

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint16_t port_ = 0;
};

}  // namespace packtwin::testing
