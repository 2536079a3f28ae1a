// Records Modbus TCP by standing between a client and a server: accepts on
// LISTEN, connects each client to TARGET, forwards every byte untouched both
// ways, and records each request with its reply (paired by transaction id).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "packtwin/recorder/mbap_stream.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// "127.0.0.1:1502=127.0.0.1:502" -> listen, target; empty on error with `error` set.
bool ParseProxySpec(const std::string& text, Endpoint* listen, Endpoint* target, std::string* error);

class ModbusTcpProxy : public Source {
 public:
  ModbusTcpProxy(Endpoint listen, Endpoint target);
  ~ModbusTcpProxy() override;
  const std::string& name() const override { return name_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  Status OnTick(const EventSink& sink) override;
  void Stop() override;

 private:
  struct Pending {
    std::string request;
    int64_t at_ns = 0;
  };
  struct Connection {
    int client = -1;
    int server = -1;
    MbapStream requests;
    MbapStream replies;
    std::map<uint16_t, Pending> pending;
  };

  Status Accept();
  Status Forward(Connection& conn, bool from_client, const EventSink& sink);
  Status Record(const std::string& request, const std::string& reply, v1::ModbusStatus status, int64_t request_ns,
                const EventSink& sink);
  Status Close(int key, const EventSink& sink);

  Endpoint listen_;
  Endpoint target_;
  std::string name_;
  int listen_fd_ = -1;
  std::map<int, std::unique_ptr<Connection>> connections_;  // by client fd
};

}  // namespace packtwin::recorder
