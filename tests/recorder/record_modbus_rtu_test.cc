// `packtwin record --modbus-tap` on an RS-485 line emulated on ptys, where a
// real pymodbus RTU client and server talk and the bus mirrors every byte to
// the tap (tests/peers/modbus_rtu_bus.py), acting on chosen replies. The bus
// writes what the tap should have recorded, byte for byte.
#include <signal.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin {
namespace {

struct TapRun {
  nlohmann::json expected;         // {"exchanges": [...], "clients": [...]}
  std::vector<nlohmann::json> recorded;
  std::string summary;
};

// Runs the bus with `plan`; the recorder stops when the client is done or,
// with a held request, right after it went out (within the tap's window).
TapRun RunTap(const std::string& plan, const std::string& tap_options) {
  testing::TempDir dir;
  testing::Child bus({testing::SystemPython(), testing::SourceDir() + "/tests/peers/modbus_rtu_bus.py", plan,
                      dir.File("ready.json"), dir.File("go"), dir.File("result.json"), dir.File("done")});
  EXPECT_TRUE(testing::WaitForFile(dir.File("ready.json"))) << "the Python peer did not start";
  usleep(50'000);
  const auto ready = nlohmann::json::parse(testing::ReadFile(dir.File("ready.json")));
  testing::Child recorder({testing::PacktwinBinary(), "record", "-o", dir.File("rtu.db"), "--quiet", "--modbus-tap",
                           ready["tap"].get<std::string>() + "@9600" + tap_options});
  usleep(300'000);
  testing::WriteFile(dir.File("go"), "");
  const std::string held = dir.File("result.json.held");
  for (int waited = 0; waited < 90'000 && !testing::FileExists(dir.File("result.json")) &&
                       !testing::FileExists(held);
       waited += 20) {
    usleep(20'000);
  }
  usleep(testing::FileExists(held) ? 200'000 : 700'000);  // the request reaches the tap; the last one settles
  recorder.Signal(SIGINT);
  auto result = recorder.Wait();
  EXPECT_TRUE(testing::WaitForFile(dir.File("result.json"), 30'000));
  testing::WriteFile(dir.File("done"), "");
  auto bus_result = bus.Wait(30'000);
  EXPECT_EQ(bus_result.exit_code, 0) << bus_result.err;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  TapRun run;
  run.expected = nlohmann::json::parse(testing::ReadFile(dir.File("result.json")));
  run.recorded = testing::ExportedEvents(dir.File("rtu.db"), "modbus");
  run.summary = result.out;
  return run;
}

void ExpectRecordedAsOnTheLine(const TapRun& run) {
  const auto& expected = run.expected["exchanges"];
  ASSERT_EQ(run.recorded.size(), expected.size()) << run.summary;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(run.recorded[i]["request"], expected[i]["request"]) << "exchange " << i << ": " << run.recorded[i];
    EXPECT_EQ(run.recorded[i]["reply"], expected[i]["reply"]) << "exchange " << i << ": " << run.recorded[i];
    EXPECT_EQ(run.recorded[i]["status"], expected[i]["status"]) << "exchange " << i << ": " << run.recorded[i];
    EXPECT_EQ(run.recorded[i]["transport"], "TRANSPORT_RTU");
  }
}

TEST(RecordModbusRtu, TapRecordsEveryExchangeWithItsStatusFromAPymodbusClientAndServer) {
  const TapRun run = RunTap("bms", "");
  ExpectRecordedAsOnTheLine(run);
  ASSERT_EQ(run.recorded.size(), 7u);
  EXPECT_TRUE(run.expected["clients"][0]);
  EXPECT_FALSE(run.expected["clients"][3]) << "the client saw the dropped reply as a timeout too";
  EXPECT_EQ(run.recorded[0]["reply"], "01030800640065006600675DEC");
  EXPECT_GT(run.recorded[0]["latency_us"].get<int>(), 0);
}

TEST(RecordModbusRtu, TapFramesEveryFunctionCodePymodbusImplementsSlowStrayAndPendingReplies) {
  const TapRun run = RunTap("suite", ",timeout=1s");
  ExpectRecordedAsOnTheLine(run);
  std::map<std::string, int> statuses;
  for (const auto& exchange : run.recorded) ++statuses[exchange["status"].get<std::string>()];
  std::string listing;
  for (const auto& exchange : run.recorded) listing += exchange.dump() + "\n";
  SCOPED_TRACE(listing);
  EXPECT_EQ(statuses["MODBUS_LATE_REPLY"], 1);
  EXPECT_EQ(statuses["MODBUS_UNPAIRED"], 1);
  EXPECT_EQ(statuses["MODBUS_TIMEOUT"], 1);
  EXPECT_EQ(statuses["MODBUS_PENDING_AT_STOP"], 1);
  EXPECT_EQ(statuses["MALFORMED"], 0);
  for (const auto& exchange : run.recorded) {
    if (exchange["status"] == "MODBUS_LATE_REPLY") {
      EXPECT_GE(exchange["latency_us"].get<int>(), 1'400'000);
    }
  }
  EXPECT_NE(run.summary.find("1 unpaired"), std::string::npos) << run.summary;
  EXPECT_NE(run.summary.find("0 malformed"), std::string::npos) << run.summary;
}

TEST(RecordModbusRtu, TapSpecRejectsABadTimeoutAndSaysWhatItTakes) {
  auto result = testing::Run({testing::PacktwinBinary(), "record", "-o", "/tmp/never.db", "--modbus-tap",
                              "/dev/null@9600,timeout=soon"});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_NE(result.err.find("column 24: expected a positive duration like 500ms or 2s, found 'soon'"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace packtwin
