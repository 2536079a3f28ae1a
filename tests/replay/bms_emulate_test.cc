// `packtwin bms-emulate`: a pymodbus client reads the BMS registers over a pty
// line and gets what the log recorded at the matching time, silence where the
// recording timed out; requests never recorded get exception 02.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin {
namespace {

using nlohmann::json;

// A BMS at 50.0 V, 52.0 V from 3 s, silent from 6 s to 9 s, then 54.0 V.
constexpr const char* kScenario = R"({
  "duration": "12s",
  "site": {"packs": [{"name": "A", "serial": "24A1600000A1", "boot": "0s", "bms": {"voltage_mV": 50000}}]},
  "timeline": [
    {"at": "3s", "pack": "A", "bms": {"voltage_mV": 52000}},
    {"at": "6s", "fault": "bms_timeout", "pack": "A", "for": "3s"},
    {"at": "9s", "pack": "A", "bms": {"voltage_mV": 54000}}
  ]
})";

TEST(BmsEmulate, APymodbusClientGetsTheRepliesRecordedAtTheMatchingTime) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("s.json"), kScenario);
  ASSERT_EQ(testing::Packtwin({"scenario", "run", dir.File("s.json"), "-o", dir.File("bms.db")}).exit_code, 0);
  testing::Child client({testing::SystemPython(), testing::SourceDir() + "/tests/peers/bms_client.py",
                         dir.File("ready.json"), dir.File("go"), dir.File("result.json"), dir.File("done"), "0", "0.5",
                         "2.5", "3.5", "5.25"});
  ASSERT_TRUE(testing::WaitForFile(dir.File("ready.json"))) << "the Python peer did not start";
  usleep(50'000);
  const auto port = json::parse(testing::ReadFile(dir.File("ready.json")))["port"].get<std::string>();
  testing::Child emulator({testing::PacktwinBinary(), "bms-emulate", dir.File("bms.db"), "--port", port, "--speed", "2",
                           "--json"});
  usleep(300'000);
  testing::WriteFile(dir.File("go"), "");
  // At speed 2 the 12 s recording (plus 2 s) ends 7 s after the first request.
  auto result = emulator.Wait(20'000);
  testing::WriteFile(dir.File("done"), "");
  auto client_result = client.Wait(20'000);
  ASSERT_EQ(client_result.exit_code, 0) << client_result.err;
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const auto reads = json::parse(testing::ReadFile(dir.File("result.json")));
  ASSERT_EQ(reads.size(), 5u);
  EXPECT_EQ(reads[0]["registers"], json::parse("[500, 0, 0, 250]")) << reads[0];
  EXPECT_EQ(reads[1]["registers"], json::parse("[500, 0, 0, 250]")) << reads[1];
  EXPECT_EQ(reads[2]["registers"], json::parse("[520, 0, 0, 250]")) << reads[2];
  EXPECT_TRUE(reads[3].contains("error")) << "the recording timed out at 7 s (3.5 s at speed 2): " << reads[3];
  EXPECT_EQ(reads[4]["registers"], json::parse("[540, 0, 0, 250]")) << reads[4];
  const auto report = json::parse(result.out);
  EXPECT_EQ(report["tap"], "pack-55");  // the simulator names a tap after its pack: serial 24A1600000A1 is node 0x55
  EXPECT_EQ(report["requests"], 5);
  EXPECT_EQ(report["answered"], 4);
  EXPECT_EQ(report["silent"], 1);
  EXPECT_NE(result.err.find("answering as BMS 0x01 on " + port), std::string::npos) << result.err;
}

TEST(BmsEmulate, ALogWithoutModbusIsAClearError) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.log"), "(10.000000) can0 180#01\n");
  ASSERT_EQ(testing::Packtwin({"import", dir.File("c.log"), "-o", dir.File("c.db")}).exit_code, 0);
  auto result = testing::Packtwin({"bms-emulate", dir.File("c.db"), "--port", "/dev/null"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no Modbus RTU exchanges to answer with"), std::string::npos) << result.err;
}

TEST(BmsEmulate, SeveralTapsNeedANode) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("s.json"), R"({"duration": "5s", "site": {"packs": [
      {"name": "A", "serial": "24A1600000A1", "node_id": 32}, {"name": "B", "serial": "24A1600000B2", "node_id": 48}]}})");
  ASSERT_EQ(testing::Packtwin({"scenario", "run", dir.File("s.json"), "-o", dir.File("s.db")}).exit_code, 0);
  auto result = testing::Packtwin({"bms-emulate", dir.File("s.db"), "--port", "/dev/null"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("2 Modbus taps (pack-20, pack-30): say whose BMS with --node"), std::string::npos) << result.err;
  result = testing::Packtwin({"bms-emulate", dir.File("s.db"), "--port", "/nonexistent/tty", "--node", "0x30"});
  EXPECT_NE(result.err.find("/nonexistent/tty"), std::string::npos) << "got past the tap choice: " << result.err;
}

}  // namespace
}  // namespace packtwin
