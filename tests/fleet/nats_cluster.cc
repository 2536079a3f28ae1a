#include "nats_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace packtwin::testing {
namespace {

std::string Replace(std::string text, const std::string& key, const std::string& value) {
  // Bounded by the text: each pass replaces one occurrence.
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// Debian installs it in /usr/sbin, which a user's PATH may lack.
std::string NatsServerBinary() { return FileExists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server"; }

}  // namespace

NatsCluster::NatsCluster(int nodes, const std::string& max_payload, const std::string& extra) {
  std::string base = ReadFile(SourceDir() + "/deploy/nats/node.conf.in");
  if (!max_payload.empty()) base = Replace(base, "max_payload: 8MB", "max_payload: " + max_payload);
  std::vector<uint16_t> cluster_ports;
  for (int i = 0; i < nodes; ++i) {
    client_ports_.push_back(FreeTcpPort());
    cluster_ports.push_back(FreeTcpPort());
    leaf_ports_.push_back(FreeTcpPort());
  }
  std::string routes;
  for (uint16_t port : cluster_ports) routes += (routes.empty() ? "" : ", ") + ("nats-route://127.0.0.1:" + std::to_string(port));
  for (int i = 0; i < nodes; ++i) {
    std::string conf = Replace(base, "@NAME@", "n" + std::to_string(i + 1));
    conf = Replace(conf, "@CLIENT_PORT@", std::to_string(client_ports_[i]));
    conf = Replace(conf, "@STORE_DIR@", dir_.File("store" + std::to_string(i + 1)));
    conf = Replace(conf, "@LEAF_PORT@", std::to_string(leaf_ports_[i]));
    if (nodes == 1) {
      // One server: JetStream without a cluster block.
      const auto cluster = conf.find("cluster {");
      conf = conf.substr(0, cluster) + conf.substr(conf.find("}\n", cluster) + 2);
    } else {
      conf = Replace(conf, "@CLUSTER_PORT@", std::to_string(cluster_ports[i]));
      conf = Replace(conf, "@ROUTES@", routes);
    }
    const std::string path = dir_.File("n" + std::to_string(i + 1) + ".conf");
    WriteFile(path, conf + "\n" + extra);
    configs_.push_back(path);
    servers_.emplace_back();
  }
  for (int i = 0; i < nodes; ++i) {
    if (!Start(i)) return;
  }
  ready_ = WaitForLeader(20'000);
  if (!ready_) {
    const std::string log = dir_.File("n1.log");
    const std::string text = FileExists(log) ? ReadFile(log) : "(no log)";
    why_ = "no JetStream leader within 20 s; the end of n1.log:\n" + text.substr(text.size() > 1500 ? text.size() - 1500 : 0);
  }
}

NatsCluster::~NatsCluster() {
  for (auto& server : servers_) {
    if (server) {
      server->Signal(SIGTERM);
      server->Wait(5'000);
    }
  }
}

bool NatsCluster::Start(int node) {
  const std::string log = dir_.File("n" + std::to_string(node + 1) + ".log");
  servers_[static_cast<size_t>(node)] = std::make_unique<Child>(std::vector<std::string>{NatsServerBinary(), "-c", configs_[static_cast<size_t>(node)], "-l", log});
  return true;
}

bool NatsCluster::WaitForLeader(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string wanted = servers_.size() == 1 ? "Server is ready" : "JetStream cluster new metadata leader";
  while (std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < servers_.size(); ++i) {
      const std::string log = dir_.File("n" + std::to_string(i + 1) + ".log");
      if (FileExists(log) && ReadFile(log).find(wanted) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string NatsCluster::Url() const {
  std::string url = "nats://";
  for (size_t i = 0; i < client_ports_.size(); ++i) url += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(client_ports_[i]);
  return url;
}

std::string NatsCluster::UrlOf(int node) const {
  return "nats://127.0.0.1:" + std::to_string(client_ports_[static_cast<size_t>(node)]);
}

std::vector<std::string> NatsCluster::LeafUrls() const {
  std::vector<std::string> urls;
  for (uint16_t port : leaf_ports_) urls.push_back("nats-leaf://127.0.0.1:" + std::to_string(port));
  return urls;
}

void NatsCluster::Kill(int node) {
  auto& server = servers_[static_cast<size_t>(node)];
  if (!server) return;
  server->Signal(SIGKILL);
  server->Wait(5'000);
  server.reset();
}

bool NatsCluster::Restart(int node) { return Start(node); }

NatsLeaf::NatsLeaf(const std::string& domain, const std::vector<std::string>& hub_urls) {
  port_ = FreeTcpPort();
  std::string urls;
  for (const auto& url : hub_urls) urls += (urls.empty() ? "\"" : ", \"") + url + "\"";
  std::string conf = ReadFile(SourceDir() + "/deploy/nats/leaf.conf.in");
  conf = Replace(conf, "@NAME@", "leaf-" + domain);
  conf = Replace(conf, "@CLIENT_PORT@", std::to_string(port_));
  conf = Replace(conf, "@STORE_DIR@", dir_.File("store"));
  conf = Replace(conf, "@DOMAIN@", domain);
  conf = Replace(conf, "@HUB_URLS@", urls);
  WriteFile(dir_.File("leaf.conf"), conf);
  server_ = std::make_unique<Child>(std::vector<std::string>{NatsServerBinary(), "-c", dir_.File("leaf.conf"), "-l", dir_.File("leaf.log")});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && !ready_) {
    ready_ = FileExists(dir_.File("leaf.log")) && ReadFile(dir_.File("leaf.log")).find("Server is ready") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!ready_) why_ = "the leaf node did not start within 10 s; log in " + dir_.path();
}

NatsLeaf::~NatsLeaf() {
  server_->Signal(SIGTERM);
  server_->Wait(5'000);
}

std::string NatsLeaf::Url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

bool NatsLeaf::WaitForLinks(int count, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = ReadFile(dir_.File("leaf.log"));
    int links = 0;
    for (auto at = log.find("Leafnode connection created"); at != std::string::npos; at = log.find("Leafnode connection created", at + 1)) ++links;
    if (links >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace packtwin::testing
