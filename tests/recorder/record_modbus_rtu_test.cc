// `packtwin record --modbus-tap` on an RS-485 line emulated on ptys, where a
// real pymodbus RTU client and server talk and the bus mirrors every byte to
// the tap, injecting a corrupted CRC, a dropped reply and a truncated reply.
#include <signal.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin {
namespace {

TEST(RecordModbusRtu, TapRecordsEveryExchangeWithItsStatusFromAPymodbusClientAndServer) {
  testing::TempDir dir;
  testing::Child bus({testing::SystemPython(), testing::SourceDir() + "/tests/peers/modbus_rtu_bus.py",
                      dir.File("ready.json"), dir.File("go"), dir.File("result.json"), dir.File("done")});
  ASSERT_TRUE(testing::WaitForFile(dir.File("ready.json"))) << "the Python peer did not start";
  usleep(50'000);
  const auto ready = nlohmann::json::parse(testing::ReadFile(dir.File("ready.json")));
  testing::Child recorder({testing::PacktwinBinary(), "record", "-o", dir.File("rtu.db"), "--quiet", "--modbus-tap",
                           ready["tap"].get<std::string>() + "@9600"});
  usleep(300'000);
  testing::WriteFile(dir.File("go"), "");
  for (int waited = 0; waited < 60'000 && !testing::FileExists(dir.File("result.json")); waited += 50) usleep(50'000);
  usleep(700'000);  // the last exchange settles
  recorder.Signal(SIGINT);
  auto result = recorder.Wait();
  testing::WriteFile(dir.File("done"), "");
  auto bus_result = bus.Wait(30'000);
  ASSERT_EQ(bus_result.exit_code, 0) << bus_result.err;
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const auto plan = nlohmann::json::parse(testing::ReadFile(dir.File("result.json")));
  const auto exchanges = testing::ExportedEvents(dir.File("rtu.db"), "modbus");
  ASSERT_EQ(exchanges.size(), plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(exchanges[i]["status"], plan[i]["expect"]) << "request " << i << ": " << exchanges[i];
    EXPECT_EQ(exchanges[i]["transport"], "TRANSPORT_RTU");
    EXPECT_EQ(exchanges[i]["request"].get<std::string>().substr(0, 4), "0103") << "slave 1, read holding registers";
  }
  EXPECT_TRUE(plan[0]["client_ok"]);
  EXPECT_FALSE(plan[3]["client_ok"]) << "the client saw the dropped reply as a timeout too";
  EXPECT_EQ(exchanges[0]["reply"], "01030800640065006600675DEC");
  EXPECT_EQ(exchanges[4]["reply"].get<std::string>().substr(0, 6), "018302");
  EXPECT_GT(exchanges[0]["latency_us"].get<int>(), 0);
}

}  // namespace
}  // namespace packtwin
