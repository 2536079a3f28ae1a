// NATS decentralised authentication made for a test, as `nsc` would: an
// operator, one account with JetStream, and users with permissions, each an
// Ed25519 nkey; their JWTs signed by the issuer. Gives the server's
// configuration block and writes users' .creds files, so the fleet commands'
// --creds is tested against a real nats-server in operator mode.
#pragma once

#include <string>
#include <vector>

namespace packtwin::testing {

class NatsOperator {
 public:
  // `dir` receives the operator's JWT file.
  explicit NatsOperator(const std::string& dir);
  // Appended to each node's configuration: operator, MEMORY resolver, the account.
  const std::string& ServerConfig() const { return server_config_; }
  // A .creds file (user JWT and seed) for a user who may publish and
  // subscribe to these subjects (empty: anything).
  void WriteCreds(const std::string& path, const std::string& name, const std::vector<std::string>& publish,
                  const std::vector<std::string>& subscribe) const;

 private:
  struct NKey {
    std::string seed;  // 32 raw bytes
    std::string public_raw;
    char prefix = 0;
  };
  static NKey NewKey(unsigned char prefix);
  static std::string Public(const NKey& key);
  static std::string Seed(const NKey& key);
  static std::string Jwt(const NKey& issuer, const std::string& claims);
  NKey operator_;
  NKey account_;
  std::string server_config_;
};

}  // namespace packtwin::testing
