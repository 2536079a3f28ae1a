// export --format pcapng read by Wireshark's own dissectors (Debian's
// tshark): every CAN frame, Modbus exchange and MQTT message must come out of
// tshark as packtwin's JSON-lines export of the same log shows it.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <sstream>

#include "packtwin/eventlog/event_writer.h"
#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::SourceDir;
using testing::TempDir;

// tshark's fields for every packet, tab-separated, with `extra` options.
std::vector<std::vector<std::string>> Tshark(const std::string& pcapng, const std::vector<std::string>& fields,
                                             const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {"tshark", "-n", "-r", pcapng, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const auto& field : fields) {
    argv.push_back("-e");
    argv.push_back(field);
  }
  auto result = testing::Run(argv);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return testing::SplitTable(result.out, '\t');
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string ExportPcapng(const TempDir& dir, const std::string& db) {
  const std::string out = dir.File("out.pcapng");
  auto result = Packtwin({"export", db, "--format", "pcapng", "-o", out, "--force"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return out;
}

std::string Imported(const TempDir& dir, const std::string& input) {
  const std::string db = dir.File("in.db");
  auto result = Packtwin({"import", input, "-o", db, "--force"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return db;
}

// One CAN frame as tshark shows it and as packtwin's JSON lines do.
struct CanRow {
  std::string iface, id, flags, len, data;
  bool operator==(const CanRow&) const = default;
};

std::ostream& operator<<(std::ostream& out, const CanRow& r) {
  return out << r.iface << " id=" << r.id << " " << r.flags << " len=" << r.len << " data=" << r.data;
}

std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

uint32_t ParseNumber(const std::string& text) { return static_cast<uint32_t>(std::stoul(text, nullptr, 0)); }

std::vector<CanRow> PacktwinCanRows(const std::string& db) {
  std::vector<CanRow> rows;
  for (const auto& e : testing::ExportedEvents(db, "can_frame")) {
    CanRow row;
    row.iface = e["channel"];
    row.id = std::to_string(ParseNumber(e["id"]));
    row.flags = std::string(e["extended"].get<bool>() ? "x" : "-") + (e["rtr"].get<bool>() ? "r" : "-") +
                (e["error"].get<bool>() ? "e" : "-") + (e["fd"].get<bool>() ? "f" : "-");
    const std::string data = e["data"];
    row.len = e["rtr"].get<bool>() ? std::to_string(std::min<uint32_t>(e["dlc"].get<uint32_t>(), 8))
                                   : std::to_string(data.size() / 2);
    row.data = e["rtr"].get<bool>() || e["error"].get<bool>() ? "" : Lower(data);
    if (e["error"].get<bool>()) row.flags.back() = '-';  // SocketCAN's error frames are classic ones, on FD channels too
    if (row.flags.back() == 'f') row.flags += std::string(e["brs"].get<bool>() ? "b" : "-") + (e["esi"].get<bool>() ? "s" : "-");
    rows.push_back(row);
  }
  return rows;
}

std::vector<CanRow> TsharkCanRows(const std::string& pcapng) {
  std::vector<CanRow> rows;
  // An error frame's id is its class: Wireshark shows each class bit as a field.
  const std::vector<std::string> classes = {"tx_timeout", "lostarb", "ctrl", "prot", "trx",
                                            "ack",        "busoff",  "buserror", "restarted"};
  std::vector<std::string> fields = {"frame.interface_name", "_ws.col.Protocol", "can.id", "can.flags.xtd",
                                     "can.flags.rtr", "can.flags.err", "can.len", "data.data",
                                     "canfd.flags.brs", "canfd.flags.esi", "frame.protocols"};
  for (const auto& name : classes) fields.push_back("can.err." + name);
  const auto set = [](const std::string& cell) { return cell == "1" || cell == "True"; };
  for (const auto& r : Tshark(pcapng, fields)) {
    // The protocol column may name a heuristic dissector that took the payload (AUTOSAR NM on id 0).
    if (r.size() < 11 || !r[10].starts_with("can")) continue;
    CanRow row;
    row.iface = r[0];
    const bool error = set(r[5]);
    row.id = r[2].empty() ? "" : std::to_string(ParseNumber(r[2]));
    if (error) {
      uint32_t mask = 0;
      for (size_t bit = 0; bit < classes.size(); ++bit) mask |= (r.size() > 11 + bit && set(r[11 + bit]) ? 1u : 0u) << bit;
      row.id = std::to_string(mask);
    }
    row.flags = std::string(set(r[3]) ? "x" : "-") + (set(r[4]) ? "r" : "-") + (error ? "e" : "-") + (r[1] == "CANFD" ? "f" : "-");
    if (r[1] == "CANFD") row.flags += std::string(r.size() > 8 && set(r[8]) ? "b" : "-") + (r.size() > 9 && set(r[9]) ? "s" : "-");
    row.len = r[6];
    // Wireshark shows the zeros SocketCAN pads a remote frame with as data,
    // and an error frame's bytes as its error fields.
    row.data = r.size() > 7 && !set(r[4]) && !error ? r[7] : "";
    rows.push_back(row);
  }
  return rows;
}

class PcapngCan : public ::testing::TestWithParam<std::string> {};

TEST_P(PcapngCan, EveryCanFrameReadsInTsharkAsPacktwinExportsIt) {
  TempDir dir;
  const std::string db = Imported(dir, SourceDir() + "/" + GetParam());
  const auto expected = PacktwinCanRows(db);
  ASSERT_FALSE(expected.empty());
  const auto seen = TsharkCanRows(ExportPcapng(dir, db));
  ASSERT_EQ(seen.size(), expected.size()) << "frame count";
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], expected[i]) << "frame " << i + 1;
}

INSTANTIATE_TEST_SUITE_P(Captures, PcapngCan,
                         ::testing::Values("tests/data/nanoseconds-direction.log", "tests/data/two-interfaces.log",
                                           "tests/data/canoe-grammar.asc", "scenarios/captures/alfaspark-3pack.log"));

TEST(PcapngForWireshark, TimestampsAreNanosecondsAndDirectionsAreKept) {
  TempDir dir;
  const std::string db = Imported(dir, SourceDir() + "/tests/data/nanoseconds-direction.log");
  const auto rows = Tshark(ExportPcapng(dir, db), {"frame.time_epoch", "frame.p2p_dir", "frame.interface_name"});
  ASSERT_GE(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "1795237200.000000001");
  EXPECT_EQ(rows[3][0], "1795237201.999999999");
  EXPECT_EQ(rows[0][1], "1") << "R: received (inbound)";
  EXPECT_EQ(rows[1][1], "0") << "T: sent (outbound)";
  EXPECT_EQ(rows[0][2], "can0");
}

// A log with Modbus TCP exchanges (as the proxy records them) and MQTT, made here.
std::string HandMadeLog(const TempDir& dir) {
  const std::string db = dir.File("hand.db");
  eventlog::WriterOptions options;
  options.site = "hand-made";
  options.tool_version = "test";
  options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(db, options);
  EXPECT_TRUE(writer.ok());
  auto modbus = [&](int64_t at_ns, const std::string& request, const std::string& reply, v1::ModbusStatus status) {
    v1::Event event;
    event.set_wall_time_ns(at_ns);
    event.set_capture_time_ns(at_ns);
    event.set_source("modbus-tcp:proxy");
    auto* exchange = event.mutable_modbus();
    exchange->set_port("127.0.0.1:1502");
    exchange->set_transport(v1::TRANSPORT_TCP);
    exchange->set_request(request);
    exchange->set_reply(reply);
    exchange->set_status(status);
    exchange->set_latency_us(reply.empty() ? 0 : 2000);
    EXPECT_TRUE((*writer)->Append(event).ok());
  };
  using namespace std::string_literals;
  // Read holding registers 0x0010, 2 of them: 0x1234, 0xABCD.
  modbus(1'000'000'000, "\x00\x01\x00\x00\x00\x06\x01\x03\x00\x10\x00\x02"s,
         "\x00\x01\x00\x00\x00\x07\x01\x03\x04\x12\x34\xAB\xCD"s, v1::MODBUS_OK);
  // Write single register 0x0020 = 0x0005, echoed.
  modbus(2'000'000'000, "\x00\x02\x00\x00\x00\x06\x01\x06\x00\x20\x00\x05"s,
         "\x00\x02\x00\x00\x00\x06\x01\x06\x00\x20\x00\x05"s, v1::MODBUS_OK);
  // An exception: illegal data address.
  modbus(3'000'000'000, "\x00\x03\x00\x00\x00\x06\x01\x04\x00\x99\x00\x01"s, "\x00\x03\x00\x00\x00\x03\x01\x84\x02"s,
         v1::MODBUS_EXCEPTION);
  for (int i = 0; i < 2; ++i) {
    v1::Event event;
    event.set_wall_time_ns(4'000'000'000 + i);
    event.set_capture_time_ns(4'000'000'000 + i);
    event.set_source("mqtt:broker");
    auto* message = event.mutable_mqtt();
    message->set_topic(i == 0 ? "alfaspark/commands/mode" : "alfaspark/bridge/status");
    message->set_payload(i == 0 ? R"({"id":"app-1","mode":"eco","on":true})" : "online");
    message->set_qos(1);
    message->set_retained(i == 1);
    message->set_direction(i == 0 ? v1::DIRECTION_RX : v1::DIRECTION_TX);
    message->set_client("alfaspark-bridge");
    EXPECT_TRUE((*writer)->Append(event).ok());
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return db;
}

TEST(PcapngForWireshark, ModbusTcpExchangesDecodeAsModbusWithFunctionAddressAndValues) {
  TempDir dir;
  const auto rows = Tshark(ExportPcapng(dir, HandMadeLog(dir)),
                           {"modbus.func_code", "modbus.reference_num", "modbus.regval_uint16", "modbus.exception_code",
                            "mbtcp.trans_id"},
                           {"-Y", "mbudp"});
  ASSERT_EQ(rows.size(), 6u) << "a request and a reply for each of the 3 exchanges";
  EXPECT_EQ(rows[0][0], "3");
  EXPECT_EQ(rows[0][1], "16");
  EXPECT_EQ(rows[1][2], "4660,43981") << "the reply's register values (Wireshark pairs it with the request)";
  EXPECT_EQ(rows[2][0], "6");
  EXPECT_EQ(rows[2][1], "32");
  EXPECT_EQ(rows[4][1], "153");
  EXPECT_EQ(rows[5][0], "4") << "Wireshark shows an exception's function without bit 7, and its code";
  EXPECT_EQ(rows[5][3], "2");
}

TEST(PcapngForWireshark, MqttMessagesDecodeWithTopicPayloadQosRetainAndDirection) {
  TempDir dir;
  const auto rows = Tshark(ExportPcapng(dir, HandMadeLog(dir)),
                           {"mqtt.topic", "mqtt.msg", "mqtt.qos", "mqtt.retain", "frame.p2p_dir", "tcp.srcport"},
                           {"-Y", "mqtt.msgtype == 3"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "alfaspark/commands/mode");
  EXPECT_EQ(rows[0][1], Hex(R"({"id":"app-1","mode":"eco","on":true})"));
  EXPECT_EQ(rows[0][2], "1");
  EXPECT_EQ(rows[0][4], "1") << "received from the broker";
  EXPECT_EQ(rows[0][5], "1883");
  EXPECT_EQ(rows[1][0], "alfaspark/bridge/status");
  EXPECT_EQ(rows[1][3], "1");
  EXPECT_EQ(rows[1][4], "0") << "published by the client";
}

// Function, address and values of every RTU exchange of a simulated site, as
// Wireshark's Modbus RTU dissector reads them once told the port.
TEST(PcapngForWireshark, EveryModbusRtuExchangeOfACaptureDecodesAsItsBytesSay) {
  TempDir dir;
  const std::string db = SourceDir() + "/scenarios/captures/bridge-defect-1-mode-value-key.db";
  std::vector<std::vector<std::string>> expected;
  for (const auto& e : testing::ExportedEvents(db, "modbus")) {
    const std::string request = e["request"], reply = e["reply"];
    const auto byte = [](const std::string& hex, size_t i) { return std::stoul(hex.substr(2 * i, 2), nullptr, 16); };
    expected.push_back({"request", std::to_string(byte(request, 1)), std::to_string(byte(request, 2) * 256 + byte(request, 3))});
    if (!reply.empty()) {
      std::string values;
      for (size_t i = 0; 3 + 2 * i + 1 < reply.size() / 2 - 2; ++i) {
        values += (i ? "," : "") + std::to_string(byte(reply, 3 + 2 * i) * 256 + byte(reply, 4 + 2 * i));
      }
      expected.push_back({"reply", std::to_string(byte(reply, 1)), values});
    }
  }
  ASSERT_GT(expected.size(), 10u);
  const auto rows = Tshark(ExportPcapng(dir, db), {"modbus.func_code", "modbus.reference_num", "modbus.regval_uint16"},
                           {"-Y", "mbrtu", "-d", "udp.port==5020,mbrtu"});
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], expected[i][1]) << "packet " << i + 1;
    EXPECT_EQ(expected[i][0] == "request" ? rows[i][1] : rows[i][2], expected[i][2]) << expected[i][0] << ", packet " << i + 1;
  }
}

TEST(PcapngForWireshark, TheSectionCommentNamesTheSiteAndEachInterfaceItsSource) {
  TempDir dir;
  const std::string out = ExportPcapng(dir, HandMadeLog(dir));
  auto info = testing::Run({"capinfos", out});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("site hand-made"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("modbus-tcp:proxy"), std::string::npos) << info.out;
}

}  // namespace
}  // namespace packtwin
