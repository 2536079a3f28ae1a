// `packtwin record --modbus-tcp-proxy` between a real libmodbus client and
// server on 127.0.0.1: traffic passes untouched, and each request is recorded
// with its reply, an exception, or a timeout.
#include <arpa/inet.h>
#include <modbus.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_support.h"

namespace packtwin {
namespace {

// A libmodbus server with 10 holding registers (0..9 = 100..109) that never
// answers a read at address 7 (a stuck device).
class Server {
 public:
  explicit Server(uint16_t port) {
    ctx_ = modbus_new_tcp("127.0.0.1", port);
    map_ = modbus_mapping_new(0, 0, 10, 0);
    for (int i = 0; i < 10; ++i) map_->tab_registers[i] = static_cast<uint16_t>(100 + i);
    listen_ = modbus_tcp_listen(ctx_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Server() {
    stop_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    if (client_ >= 0) ::shutdown(client_, SHUT_RDWR);
    thread_.join();
    modbus_mapping_free(map_);
    modbus_free(ctx_);
  }

 private:
  void Serve() {
    while (!stop_) {
      client_ = modbus_tcp_accept(ctx_, &listen_);
      if (client_ < 0) return;
      uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
      while (!stop_) {
        const int len = modbus_receive(ctx_, query);
        if (len <= 0) break;
        const int address = (query[8] << 8) | query[9];
        if (query[7] == 0x03 && address == 7) continue;  // stuck: no reply
        modbus_reply(ctx_, query, len, map_);
      }
      ::close(client_);
      client_ = -1;
    }
  }
  modbus_t* ctx_ = nullptr;
  modbus_mapping_t* map_ = nullptr;
  int listen_ = -1;
  std::atomic<int> client_{-1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(RecordModbusTcp, ProxyForwardsAndRecordsEachExchangePairedByTransactionId) {
  testing::TempDir dir;
  const uint16_t server_port = testing::FreeTcpPort();
  const uint16_t proxy_port = testing::FreeTcpPort();
  Server server(server_port);
  const std::string spec = fmt::format("127.0.0.1:{}=127.0.0.1:{}", proxy_port, server_port);
  testing::Child recorder({testing::PacktwinBinary(), "record", "-o", dir.File("tcp.db"), "--quiet",
                           "--modbus-tcp-proxy", spec});
  usleep(300'000);

  modbus_t* client = modbus_new_tcp("127.0.0.1", proxy_port);
  ASSERT_EQ(modbus_connect(client), 0) << modbus_strerror(errno);
  modbus_set_response_timeout(client, 0, 300'000);
  uint16_t regs[4] = {};
  ASSERT_EQ(modbus_read_registers(client, 0, 4, regs), 4) << modbus_strerror(errno);
  EXPECT_EQ(regs[3], 103) << "the proxy passes the reply through untouched";
  EXPECT_EQ(modbus_read_registers(client, 8, 4, regs), -1) << "past the end: an exception";
  EXPECT_EQ(errno, EMBXILADD);
  EXPECT_EQ(modbus_read_registers(client, 7, 1, regs), -1) << "the stuck address times out";
  modbus_close(client);
  modbus_free(client);
  usleep(300'000);
  recorder.Signal(SIGINT);
  auto result = recorder.Wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const auto exchanges = testing::ExportedEvents(dir.File("tcp.db"), "modbus");
  ASSERT_EQ(exchanges.size(), 3u);
  EXPECT_EQ(exchanges[0]["status"], "MODBUS_OK");
  EXPECT_EQ(exchanges[0]["transport"], "TRANSPORT_TCP");
  // Request: tid, protocol 0, length 6, unit, 03, address 0, count 4.
  EXPECT_EQ(exchanges[0]["request"].get<std::string>().substr(4), "00000006FF0300000004");
  EXPECT_EQ(exchanges[0]["reply"].get<std::string>().substr(4), "0000000BFF03080064006500660067");
  EXPECT_EQ(exchanges[0]["request"].get<std::string>().substr(0, 4), exchanges[0]["reply"].get<std::string>().substr(0, 4))
      << "same transaction id";
  EXPECT_EQ(exchanges[1]["status"], "MODBUS_EXCEPTION");
  EXPECT_EQ(exchanges[1]["reply"].get<std::string>().substr(14), "8302");
  EXPECT_EQ(exchanges[2]["status"], "MODBUS_TIMEOUT");
  EXPECT_EQ(exchanges[2]["reply"], "");
}

std::string Adu(uint16_t tid, uint16_t address, uint16_t count) {
  const uint8_t bytes[] = {static_cast<uint8_t>(tid >> 8), static_cast<uint8_t>(tid), 0, 0, 0, 6, 0xFF, 0x03,
                           static_cast<uint8_t>(address >> 8), static_cast<uint8_t>(address),
                           static_cast<uint8_t>(count >> 8), static_cast<uint8_t>(count)};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

TEST(RecordModbusTcp, TwoRequestsWithOneTransactionIdArePairedInOrderAndOneWaitingAtStopIsPending) {
  testing::TempDir dir;
  const uint16_t server_port = testing::FreeTcpPort();
  const uint16_t proxy_port = testing::FreeTcpPort();
  Server server(server_port);
  const std::string spec = fmt::format("127.0.0.1:{}=127.0.0.1:{},timeout=10s", proxy_port, server_port);
  testing::Child recorder({testing::PacktwinBinary(), "record", "-o", dir.File("tcp.db"), "--quiet",
                           "--modbus-tcp-proxy", spec});
  usleep(300'000);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(proxy_port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string both = Adu(0x42, 0, 1) + Adu(0x42, 2, 1);  // pipelined, one transaction id
  ASSERT_EQ(::write(fd, both.data(), both.size()), static_cast<ssize_t>(both.size()));
  std::string replies;
  char buffer[256];
  for (int tries = 0; tries < 50 && replies.size() < 22; ++tries) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got > 0) replies.append(buffer, static_cast<size_t>(got));
    usleep(20'000);
  }
  ASSERT_EQ(replies.size(), 22u) << "two replies of 11 bytes";
  const std::string stuck = Adu(0x43, 7, 1);
  ASSERT_EQ(::write(fd, stuck.data(), stuck.size()), static_cast<ssize_t>(stuck.size()));
  usleep(300'000);
  recorder.Signal(SIGINT);
  auto result = recorder.Wait();
  ::close(fd);
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const auto exchanges = testing::ExportedEvents(dir.File("tcp.db"), "modbus");
  ASSERT_EQ(exchanges.size(), 3u);
  EXPECT_EQ(exchanges[0]["request"], "004200000006FF0300000001");
  EXPECT_EQ(exchanges[0]["reply"], "004200000005FF03020064") << "register 0 = 100 answers the first";
  EXPECT_EQ(exchanges[1]["request"], "004200000006FF0300020001");
  EXPECT_EQ(exchanges[1]["reply"], "004200000005FF03020066") << "register 2 = 102 answers the second";
  EXPECT_EQ(exchanges[2]["status"], "MODBUS_PENDING_AT_STOP");
  EXPECT_EQ(exchanges[2]["request"], "004300000006FF0300070001");
}

TEST(RecordModbusTcp, BadProxySpecIsAUsageErrorNamingTheForm) {
  auto result = testing::Packtwin({"record", "-o", "/tmp/never.db", "--modbus-tcp-proxy", "1502=502"});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_NE(result.err.find("'1502=502': column 1: expected LISTEN as an IPv4 address and port"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("the form is LISTEN=TARGET[,timeout=DURATION]"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace packtwin
