#include "packtwin/recorder/modbus_tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "packtwin/base/time_spec.h"

namespace packtwin::recorder {
namespace {

constexpr int kMaxConnections = 32;
// Outstanding requests kept per connection; beyond it the oldest is recorded
// as a timeout (a client pipelining without end cannot grow memory).
constexpr size_t kMaxPendingPerConnection = 256;

bool ParseEndpoint(const std::string& text, Endpoint* out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  out->host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long value = std::stoul(port);
  if (value == 0 || value > 65535) return false;
  out->port = static_cast<uint16_t>(value);
  in_addr addr{};
  return inet_pton(AF_INET, out->host.c_str(), &addr) == 1;
}

sockaddr_in Address(const Endpoint& endpoint) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(endpoint.port);
  inet_pton(AF_INET, endpoint.host.c_str(), &addr.sin_addr);
  return addr;
}

// Writes everything, waiting while the peer's buffer is full (bounded: 2 s).
bool WriteAll(int fd, const uint8_t* bytes, size_t len) {
  size_t done = 0;
  for (int idle = 0; done < len && idle < 200;) {
    const ssize_t wrote = ::send(fd, bytes + done, len - done, MSG_NOSIGNAL);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      idle = 0;
    } else if (wrote < 0 && errno != EAGAIN && errno != EINTR) {
      return false;
    } else {
      pollfd pfd{fd, POLLOUT, 0};
      ::poll(&pfd, 1, 10);
      ++idle;
    }
  }
  return done == len;
}

bool IsException(const std::string& adu) { return adu.size() > 7 && (static_cast<uint8_t>(adu[7]) & 0x80) != 0; }

}  // namespace

std::variant<ProxySpec, ParseError> ParseProxySpec(std::string_view text) {
  TextCursor cur(text);
  ProxySpec spec;
  const size_t comma = text.find(',');
  const std::string_view endpoints = text.substr(0, comma);
  const size_t eq = endpoints.find('=');
  if (eq == std::string_view::npos) return cur.ErrorAt(endpoints.size(), "'=' between LISTEN and TARGET");
  if (!ParseEndpoint(std::string(endpoints.substr(0, eq)), &spec.listen)) {
    return cur.ErrorAt(0, "LISTEN as an IPv4 address and port, e.g. 127.0.0.1:1502");
  }
  if (!ParseEndpoint(std::string(endpoints.substr(eq + 1)), &spec.target)) {
    return cur.ErrorAt(eq + 1, "TARGET as an IPv4 address and port, e.g. 127.0.0.1:502");
  }
  if (comma == std::string_view::npos) return spec;
  const std::string_view option = text.substr(comma + 1);
  if (option.rfind("timeout=", 0) != 0) return cur.ErrorAt(comma + 1, "timeout=DURATION (the proxy's only option)");
  const auto window_ms = ParseDurationMs(std::string(option.substr(8)), false, false);
  if (!window_ms || *window_ms <= 0) return cur.ErrorAt(comma + 9, "a positive duration like 5s");
  spec.reply_window_ms = *window_ms;
  return spec;
}

ModbusTcpProxy::ModbusTcpProxy(ProxySpec spec)
    : listen_(std::move(spec.listen)),
      target_(std::move(spec.target)),
      reply_window_ns_(spec.reply_window_ms * 1'000'000),
      name_(fmt::format("modbus-tcp:{}:{}={}:{}", listen_.host, listen_.port, target_.host, target_.port)) {}

ModbusTcpProxy::~ModbusTcpProxy() { Stop(); }

std::string ModbusTcpProxy::config_json() const {
  return nlohmann::json{{"kind", "modbus-tcp-proxy"},
                        {"listen", fmt::format("{}:{}", listen_.host, listen_.port)},
                        {"target", fmt::format("{}:{}", target_.host, target_.port)},
                        {"reply_window_ms", reply_window_ns_ / 1'000'000}}
      .dump();
}

Status ModbusTcpProxy::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IoError(fmt::format("{}: socket: {}", name_, std::strerror(errno)));
  const int on = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const sockaddr_in addr = Address(listen_);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, kMaxConnections) != 0) {
    return Status::IoError(fmt::format("{}: cannot listen on {}:{}: {}", name_, listen_.host, listen_.port,
                                     std::strerror(errno)));
  }
  return Status::Ok();
}

std::vector<int> ModbusTcpProxy::fds() const {
  std::vector<int> fds;
  if (listen_fd_ >= 0) fds.push_back(listen_fd_);
  for (const auto& [key, conn] : connections_) {
    fds.push_back(conn->client);
    fds.push_back(conn->server);
  }
  return fds;
}

Status ModbusTcpProxy::Accept() {
  const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client < 0) return Status::Ok();  // the client gave up already
  if (connections_.size() >= kMaxConnections) {
    ::close(client);
    return Status::Ok();
  }
  const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in addr = Address(target_);
  if (server < 0 || ::connect(server, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    // The client sees its connection closed, as if the server refused it.
    if (server >= 0) ::close(server);
    ::close(client);
    ++stats_.malformed;
    return Status::Ok();
  }
  ::fcntl(server, F_SETFL, ::fcntl(server, F_GETFL) | O_NONBLOCK);
  const int on = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  auto conn = std::make_unique<Connection>();
  conn->client = client;
  conn->server = server;
  connections_[client] = std::move(conn);
  return Status::Ok();
}

Status ModbusTcpProxy::Record(const std::string& request, const std::string& reply, v1::ModbusStatus status,
                              int64_t request_ns, const EventSink& sink) {
  v1::Event event = NewEvent(name_);
  auto* exchange = event.mutable_modbus();
  exchange->set_port(name_);
  exchange->set_transport(v1::TRANSPORT_TCP);
  exchange->set_request(request);
  exchange->set_reply(reply);
  exchange->set_status(status);
  if (request_ns != 0 && !reply.empty()) {
    exchange->set_latency_us(static_cast<uint32_t>((event.capture_time_ns() - request_ns) / 1000));
  }
  ++stats_.events;
  if (status == v1::MODBUS_MALFORMED) ++stats_.malformed;
  if (status == v1::MODBUS_UNPAIRED) ++stats_.unpaired;
  auto seq = sink(std::move(event));
  return seq.ok() ? Status::Ok() : seq.status();
}

Status ModbusTcpProxy::Forward(Connection& conn, bool from_client, const EventSink& sink) {
  uint8_t buffer[4096];
  const int from = from_client ? conn.client : conn.server;
  const int to = from_client ? conn.server : conn.client;
  const ssize_t got = ::recv(from, buffer, sizeof buffer, 0);
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return Status::Closed("the connection closed");
  if (got < 0) return Status::Ok();
  // Forward first: recording never delays or alters the traffic.
  if (!WriteAll(to, buffer, static_cast<size_t>(got))) return Status::Closed("the connection closed");
  MbapStream& stream = from_client ? conn.requests : conn.replies;
  for (auto& frame : stream.Feed(buffer, static_cast<size_t>(got))) {
    if (frame.malformed) {
      PACKTWIN_RETURN_IF_ERROR(Record(from_client ? frame.bytes : "", from_client ? "" : frame.bytes,
                                      v1::MODBUS_MALFORMED, 0, sink));
      continue;
    }
    if (from_client) {
      if (conn.pending.size() >= kMaxPendingPerConnection) {
        PACKTWIN_RETURN_IF_ERROR(Record(conn.pending.front().request, "", v1::MODBUS_TIMEOUT,
                                        conn.pending.front().at_ns, sink));
        conn.pending.pop_front();
      }
      conn.pending.push_back({frame.bytes, bus::MonotonicNs(), frame.transaction_id});
      continue;
    }
    // The oldest outstanding request with this transaction id: a client that
    // reuses an id before its reply came gets its replies in order.
    auto pending = std::find_if(conn.pending.begin(), conn.pending.end(),
                                [&](const Pending& p) { return p.transaction_id == frame.transaction_id; });
    if (pending == conn.pending.end()) {
      PACKTWIN_RETURN_IF_ERROR(Record("", frame.bytes, v1::MODBUS_UNPAIRED, 0, sink));
      continue;
    }
    const auto status = IsException(frame.bytes) ? v1::MODBUS_EXCEPTION : v1::MODBUS_OK;
    PACKTWIN_RETURN_IF_ERROR(Record(pending->request, frame.bytes, status, pending->at_ns, sink));
    conn.pending.erase(pending);
  }
  return Status::Ok();
}

Status ModbusTcpProxy::Close(int key, const EventSink& sink) {
  auto found = connections_.find(key);
  if (found == connections_.end()) return Status::Ok();
  Connection& conn = *found->second;
  // Requests the server never answered.
  for (const Pending& pending : conn.pending) {
    PACKTWIN_RETURN_IF_ERROR(Record(pending.request, "", v1::MODBUS_TIMEOUT, pending.at_ns, sink));
  }
  ::close(conn.client);
  ::close(conn.server);
  connections_.erase(found);
  return Status::Ok();
}

Status ModbusTcpProxy::OnReadable(int fd, short /*revents*/, const EventSink& sink) {
  if (fd == listen_fd_) return Accept();
  for (auto& [key, conn] : connections_) {
    if (fd != conn->client && fd != conn->server) continue;
    const Status forwarded = Forward(*conn, fd == conn->client, sink);
    // A closed connection is the peers' business, not a failure of the proxy.
    if (!forwarded.ok() && forwarded.IsClosed()) return Close(key, sink);
    return forwarded;
  }
  return Status::Ok();
}

Status ModbusTcpProxy::OnTick(const EventSink& sink) {
  const int64_t now = bus::MonotonicNs();
  for (auto& [key, conn] : connections_) {
    for (auto it = conn->pending.begin(); it != conn->pending.end();) {
      if (now - it->at_ns < reply_window_ns_) {
        ++it;
        continue;
      }
      PACKTWIN_RETURN_IF_ERROR(Record(it->request, "", v1::MODBUS_TIMEOUT, it->at_ns, sink));
      it = conn->pending.erase(it);
    }
  }
  return Status::Ok();
}

// Requests still waiting when the recording stops are recorded as such.
Status ModbusTcpProxy::Drain(const EventSink& sink) {
  for (auto& [key, conn] : connections_) {
    for (const Pending& pending : conn->pending) {
      PACKTWIN_RETURN_IF_ERROR(Record(pending.request, "", v1::MODBUS_PENDING_AT_STOP, pending.at_ns, sink));
    }
    conn->pending.clear();
  }
  return Status::Ok();
}

void ModbusTcpProxy::Stop() {
  for (auto& [key, conn] : connections_) {
    ::close(conn->client);
    ::close(conn->server);
  }
  connections_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace packtwin::recorder
