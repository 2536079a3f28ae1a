// `packtwin replay --to slcan:PTY`: every frame reaches the adapter as an
// slcan transmit command, in order, and never before its time.
#include <fmt/format.h>
#include <signal.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pty_adapter.h"
#include "test_support.h"

namespace packtwin {
namespace {

// What an slcan adapter received: up to `want` commands, waiting at most 2 s.
std::vector<std::string> Drain(testing::PtyAdapter& adapter, size_t want) {
  std::vector<std::string> seen;
  for (int waited = 0; waited < 40 && seen.size() < want; ++waited) {
    for (auto& command : adapter.ReadCommands(50)) seen.push_back(command);
  }
  return seen;
}

// A candump log imported into dir/c.db.
std::string ImportLog(const testing::TempDir& dir, const std::string& log) {
  testing::WriteFile(dir.File("c.log"), log);
  EXPECT_EQ(testing::Packtwin({"import", dir.File("c.log"), "-o", dir.File("c.db")}).exit_code, 0);
  return dir.File("c.db");
}

TEST(ReplaySlcan, FramesGoOutInOrderAtTheirPaceAndTheScheduleErrorIsReported) {
  testing::TempDir dir;
  std::string log;
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {  // one frame every 100 ms: 1.9 s recorded
    const auto us = 1795237200'000000LL + i * 100'000LL;
    log += fmt::format("({}.{:06}) can0 1AA#{:016X}\n", us / 1'000'000, us % 1'000'000, i);
    expected.push_back(fmt::format("t1AA8{:016X}", i));
  }
  log += "(1795237202.000000) can0 12345678#0102\n(1795237202.100000) can0 123#R3\n";
  expected.push_back("T1234567820102");
  expected.push_back("r1233");
  testing::WriteFile(dir.File("c.log"), log);
  ASSERT_EQ(testing::Packtwin({"import", dir.File("c.log"), "-o", dir.File("c.db")}).exit_code, 0);

  testing::PtyAdapter adapter;
  const auto start = std::chrono::steady_clock::now();
  testing::Child replay({testing::PacktwinBinary(), "replay", dir.File("c.db"), "--to", "slcan:" + adapter.device() + "@250000",
                         "--speed", "2", "--json"});
  std::vector<std::string> seen;
  for (int waited = 0; waited < 100 && seen.size() < expected.size() + 4; ++waited) {
    for (auto& command : adapter.ReadCommands(50)) seen.push_back(command);
  }
  auto result = replay.Wait();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 3), (std::vector<std::string>{"C", "S5", "O"}));
  expected.push_back("C");  // the channel is closed again at the end
  EXPECT_EQ(std::vector<std::string>(seen.begin() + 3, seen.end()), expected);
  // 2.1 s recorded at speed 2: never faster than 1.05 s.
  EXPECT_GE(elapsed, std::chrono::milliseconds(1050));
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["frames"], 22);
  EXPECT_GE(report["schedule_error_max_us"].get<int64_t>(), report["schedule_error_p50_us"].get<int64_t>());
}

TEST(ReplaySlcan, FiltersByIdsAndTime) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n(10.010000) can0 700#02\n(10.020000) can0 181#03\n(10.030000) can0 300#04\n");
  testing::PtyAdapter adapter;
  testing::Child replay({testing::PacktwinBinary(), "replay", dir.File("c.db"), "--to", "slcan:" + adapter.device(),
                         "--ids", "0x180-0x1FF,0x300", "--until", "0.025"});
  const auto seen = Drain(adapter, 6);
  ASSERT_EQ(replay.Wait().exit_code, 0);
  EXPECT_EQ(seen, (std::vector<std::string>{"C", "S6", "O", "t180101", "t181103", "C"}));
}

TEST(ReplaySlcan, CtrlCSaysHowManyFramesWereSentAndClosesTheAdapter) {
  testing::TempDir dir;
  std::string log;
  for (int i = 0; i < 50; ++i) log += fmt::format("({}.000000) can0 1AA#{:02X}\n", 100 + i, i);  // one a second
  ImportLog(dir, log);
  testing::PtyAdapter adapter;
  testing::Child replay({testing::PacktwinBinary(), "replay", dir.File("c.db"), "--to", "slcan:" + adapter.device()});
  const auto before = Drain(adapter, 5);  // setup and the first two frames (at 0 s and 1 s)
  replay.Signal(SIGINT);
  auto result = replay.Wait(5000);
  const auto after = Drain(adapter, 1);
  EXPECT_EQ(result.exit_code, 130) << result.err;
  EXPECT_NE(result.err.find("interrupted: sent 2 frames onto slcan:"), std::string::npos) << result.err;
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back(), "C") << "the adapter's channel is closed";
}

TEST(ReplaySlcan, BadTargetIsAClearError) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n");
  auto result = testing::Packtwin({"replay", dir.File("c.db"), "--to", "slcan:/nonexistent/tty"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/nonexistent/tty: cannot open"), std::string::npos) << result.err;
}


// --map takes one SRC=DST each, so the log may follow it (as with canplayer's
// own argument order).
TEST(ReplaySlcan, MapBeforeTheLogLeavesTheLogALog) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n");
  testing::PtyAdapter bus;
  testing::Child replay({testing::PacktwinBinary(), "replay", "--map", "can0=slcan:" + bus.device(), dir.File("c.db")});
  const auto sent = Drain(bus, 5);
  auto result = replay.Wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(sent, (std::vector<std::string>{"C", "S6", "O", "t180101", "C"}));
}

TEST(ReplaySlcan, MapSendsEachRecordedInterfaceToItsOwnBus) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n(10.010000) can1 181#02\n(10.020000) can0 182#03\n(10.030000) can2 183#04\n");
  testing::PtyAdapter bus_a;
  testing::PtyAdapter bus_b;
  testing::Child replay({testing::PacktwinBinary(), "replay", dir.File("c.db"), "--map", "can0=slcan:" + bus_a.device(),
                         "--map", "can1=slcan:" + bus_b.device()});
  const auto a = Drain(bus_a, 6);
  const auto b = Drain(bus_b, 5);
  auto result = replay.Wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(a, (std::vector<std::string>{"C", "S6", "O", "t180101", "t182103", "C"}));
  EXPECT_EQ(b, (std::vector<std::string>{"C", "S6", "O", "t181102", "C"})) << "can2 is not mapped and there is no --to";
  EXPECT_NE(result.out.find("played 3 frames"), std::string::npos) << result.out;
}

TEST(ReplaySlcan, MapWithoutEqualsIsAUsageError) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n");
  auto result = testing::Packtwin({"replay", dir.File("c.db"), "--map", "can0"});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_NE(result.err.find("expected SRC=DST"), std::string::npos) << result.err;
  result = testing::Packtwin({"replay", dir.File("c.db")});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_NE(result.err.find("give a bus with --to"), std::string::npos) << result.err;
}

TEST(ReplaySlcan, StepSendsFramesAsTheUserAsksAndStopsOnQ) {
  testing::TempDir dir;
  ImportLog(dir, "(10.000000) can0 180#01\n(50.000000) can0 181#02\n(90.000000) can0 182#03\n(99.000000) can0 183#04\n");
  testing::PtyAdapter adapter;
  // Enter sends one, "2" sends two, q stops before the fourth; 89 s of gaps are not waited for.
  auto result = testing::Run({"sh", "-c",
                              "printf '\\n2\\nq\\n' | \"$0\" replay \"$1\" --to \"$2\" --step", testing::PacktwinBinary(),
                              dir.File("c.db"), "slcan:" + adapter.device()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Drain(adapter, 7), (std::vector<std::string>{"C", "S6", "O", "t180101", "t181102", "t182103", "C"}));
  EXPECT_NE(result.err.find("seq 2  +0.000000 s  can0  180#01"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("+89.000000 s  can0  183#04"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("sent 3 frames"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace packtwin
