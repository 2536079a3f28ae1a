// Records Modbus TCP by standing between a client and a server: accepts on
// LISTEN, connects each client to TARGET, forwards every byte untouched both
// ways, and records each request with its reply (paired by transaction id).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/recorder/mbap_stream.h"
#include "packtwin/base/text_cursor.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// A request with no reply this long after it is recorded as a timeout.
constexpr int64_t kDefaultProxyReplyWindowMs = 5000;

struct ProxySpec {
  Endpoint listen;
  Endpoint target;
  int64_t reply_window_ms = kDefaultProxyReplyWindowMs;
};

// "127.0.0.1:1502=127.0.0.1:502[,timeout=5s]"; a ParseError (with its column) when malformed.
std::variant<ProxySpec, ParseError> ParseProxySpec(std::string_view text);

class ModbusTcpProxy : public Source {
 public:
  explicit ModbusTcpProxy(ProxySpec spec);
  ~ModbusTcpProxy() override;
  const std::string& name() const override { return name_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  Status OnTick(const EventSink& sink) override;
  Status Drain(const EventSink& sink) override;
  void Stop() override;

 private:
  struct Pending {
    std::string request;
    int64_t at_ns = 0;
    uint16_t transaction_id = 0;
  };
  struct Connection {
    int client = -1;
    int server = -1;
    MbapStream requests;
    MbapStream replies;
    std::deque<Pending> pending;  // in the order the client sent them
  };

  Status Accept();
  Status Forward(Connection& conn, bool from_client, const EventSink& sink);
  Status Record(const std::string& request, const std::string& reply, v1::ModbusStatus status, int64_t request_ns,
                const EventSink& sink);
  Status Close(int key, const EventSink& sink);

  Endpoint listen_;
  Endpoint target_;
  int64_t reply_window_ns_;
  std::string name_;
  int listen_fd_ = -1;
  std::map<int, std::unique_ptr<Connection>> connections_;  // by client fd
};

}  // namespace packtwin::recorder
