// Crash consistency: a writer killed with SIGKILL at random moments leaves a
// file that opens, passes PRAGMA integrity_check and verify, and has every
// event older than the commit interval.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <vector>

#include "packtwin/eventlog/verify.h"
#include "test_support.h"

namespace packtwin {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr auto kCommitInterval = std::chrono::milliseconds(100);
// Scheduling slack on a loaded 2-core machine: the fsync of the commit itself
// and the time for a report to cross the pipe.
constexpr auto kSlack = std::chrono::milliseconds(100);

struct Report {
  uint64_t seq;
  Clock::time_point at;
};

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  std::string result = "no answer";
  if (sqlite3_step(stmt) == SQLITE_ROW) result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

// Starts the writer, kills it after `run`, returns what it reported.
std::vector<Report> RunAndKill(const std::string& path, std::chrono::milliseconds run, Clock::time_point* killed_at) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    execl(PACKTWIN_CRASH_WRITER, PACKTWIN_CRASH_WRITER, path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::vector<Report> reports;
  uint64_t value = 0;
  size_t have = 0;
  auto drain = [&] {
    // Reads whole 8-byte reports; bounded by what is in the pipe now.
    while (true) {
      const ssize_t got = read(fds[0], reinterpret_cast<char*>(&value) + have, sizeof value - have);
      if (got <= 0) return;
      have += static_cast<size_t>(got);
      if (have == sizeof value) {
        reports.push_back({value, Clock::now()});
        have = 0;
      }
    }
  };
  // Wait for "ready" (seq 0) so the kill lands while events stream.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (reports.empty() && Clock::now() < deadline) {
    drain();
    usleep(1000);
  }
  const auto kill_at = Clock::now() + run;
  while (Clock::now() < kill_at) {
    drain();
    usleep(500);
  }
  kill(pid, SIGKILL);
  *killed_at = Clock::now();
  int status = 0;
  waitpid(pid, &status, 0);
  drain();
  close(fds[0]);
  return reports;
}

TEST(CrashConsistency, SigkillAtRandomMomentsLosesAtMostTheCommitInterval) {
  testing::TempDir dir;
  std::mt19937 random(20261121);
  std::uniform_int_distribution<int> run_ms(20, 450);
  for (int round = 0; round < kKills; ++round) {
    const std::string path = dir.File("crash" + std::to_string(round) + ".db");
    Clock::time_point killed_at;
    const auto reports = RunAndKill(path, std::chrono::milliseconds(run_ms(random)), &killed_at);
    ASSERT_FALSE(reports.empty()) << "the writer never started";

    EXPECT_EQ(IntegrityCheck(path), "ok") << "round " << round;
    auto reader = eventlog::EventReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    auto chain = eventlog::VerifyChain(**reader);
    ASSERT_TRUE(chain.ok()) << chain.status().message();
    EXPECT_TRUE(chain->intact) << "round " << round << ": " << chain->problem;

    uint64_t must_have = 0;
    for (const auto& report : reports) {
      if (report.at + kCommitInterval + kSlack <= killed_at) must_have = std::max(must_have, report.seq);
    }
    EXPECT_GE(chain->events_checked, must_have)
        << "round " << round << ": events appended more than " << (kCommitInterval + kSlack).count()
        << " ms before the kill are missing";
  }
}

}  // namespace
}  // namespace packtwin
