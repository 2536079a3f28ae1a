// SIGKILL during a live capture, 20 times at random moments: the log opens,
// passes PRAGMA integrity_check and verify, and holds every frame the adapter
// sent more than the commit interval (plus slack) before the kill.
#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <chrono>
#include <random>

#include "pty_adapter.h"
#include "test_support.h"

namespace packtwin {
namespace {

using Clock = std::chrono::steady_clock;

TEST(RecordCrash, SigkillDuringCaptureLosesAtMostTheCommitInterval) {
  testing::TempDir dir;
  std::mt19937 random(4);
  std::uniform_int_distribution<int> run_ms(100, 700);
  // The commit interval, plus the pty hop and the fsync on a loaded machine.
  const auto window = std::chrono::milliseconds(100 + 150);
  for (int round = 0; round < 20; ++round) {
    const std::string db = dir.File(fmt::format("crash{}.db", round));
    testing::PtyAdapter adapter;
    testing::Child child({testing::PacktwinBinary(), "record", "-o", db, "--quiet", "--can", "slcan:" + adapter.device()});
    ASSERT_EQ(adapter.ServeSetup().back(), "O");
    std::vector<Clock::time_point> sent_at;
    const auto kill_at = Clock::now() + std::chrono::milliseconds(run_ms(random));
    for (uint32_t n = 0; Clock::now() < kill_at; ++n) {
      adapter.Send(testing::SlcanFrame(0x180, fmt::format("{:08X}", n)));
      sent_at.push_back(Clock::now());
      if (n % 20 == 0) usleep(2000);
    }
    child.Signal(SIGKILL);
    const auto killed = Clock::now();
    child.Wait();

    auto integrity = testing::Run({"sqlite3", db, "PRAGMA integrity_check"});
    EXPECT_EQ(integrity.out, "ok\n") << "round " << round << integrity.err;
    auto verify = testing::Packtwin({"verify", db, "--json"});
    EXPECT_EQ(verify.exit_code, 0) << "round " << round << verify.out << verify.err;
    auto frames = testing::Packtwin({"export", db, "--format", "candump", "--ids", "0x180"});
    const auto recorded = static_cast<size_t>(std::count(frames.out.begin(), frames.out.end(), '\n'));
    size_t must_have = 0;
    for (size_t i = 0; i < sent_at.size(); ++i) {
      if (sent_at[i] + window <= killed) must_have = i + 1;
    }
    EXPECT_GE(recorded, must_have) << "round " << round << ": frames sent " << window.count()
                                   << " ms before the kill are missing";
  }
}

}  // namespace
}  // namespace packtwin
