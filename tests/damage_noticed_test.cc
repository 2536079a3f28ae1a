// Every command that reads a log notices damage in what it read and says so
// with verify's exit code 2: no command reports a changed or cut log as clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::Sql;
using testing::TempDir;
using testing::WriteLog;

constexpr const char* kDropTriggers = "DROP TRIGGER blocks_refuse_update; DROP TRIGGER blocks_refuse_delete;";
constexpr const char* kFlipLastByteOfBlock31 =
    "UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
    "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE first_seq = 31";

std::string Damaged(const TempDir& dir, const std::string& sql) {
  const std::string db = dir.File("site.db");
  WriteLog(db, 100);
  EXPECT_EQ(Sql(db, std::string(kDropTriggers) + sql), "");
  return db;
}

const std::vector<std::vector<std::string>> kReaders = {
    {"check"}, {"state"}, {"timeline"}, {"digest"}, {"export", "--format", "candump"}, {"golden", "-o", "/dev/null"},
};

// Located damage (a record check fails): each command still gives its
// output for the rest of the log, names what it skipped, and exits 2. golden
// does not write a reference from a damaged log at all.
TEST(DamageNoticed, ADamagedEventIsSkippedNamedAndExits2) {
  TempDir dir;
  const std::string db = Damaged(dir, kFlipLastByteOfBlock31);
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, db);
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.out << result.err;
    if (args[0] == "golden") {
      EXPECT_NE(result.err.find("event seq 40: its record check fails"), std::string::npos) << result.err;
      continue;
    }
    EXPECT_NE(result.err.find("1 damaged event skipped (seq 40): its record check failed; everything else was read"),
              std::string::npos)
        << args[0] << ": " << result.err;
    if (args[0] != "timeline") {  // these random frames change no state: no timeline line
      EXPECT_FALSE(result.out.empty()) << args[0] << ": the output for the rest of the log";
    }
    EXPECT_EQ(result.out.find("clean"), std::string::npos) << args[0] << ": " << result.out;
  }
  auto exported = Packtwin({"export", db, "--format", "candump"});
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 99) << "every event but seq 40";
}

// A log without record checks (written before them) is located to the block.
TEST(DamageNoticed, AChangedBlockWithoutRecordChecksFailsEveryReadingCommandWithExit2) {
  TempDir dir;
  const std::string db = Damaged(dir, std::string("DROP TABLE record_checks; ") + kFlipLastByteOfBlock31);
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, db);
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("events seq 31 to 40: the hash chain does not match"), std::string::npos)
        << args[0] << ": " << result.err;
  }
}

TEST(DamageNoticed, ACutTailIsNeverCalledClean) {
  TempDir dir;
  const std::string db = Damaged(dir, "DELETE FROM blocks WHERE first_seq > 90");
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, db);
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("says 100 events were committed but it ends at seq 90"), std::string::npos)
        << args[0] << ": " << result.err;
    EXPECT_EQ(result.out.find("clean"), std::string::npos) << args[0];
  }
}

TEST(DamageNoticed, InfoExits2OnABrokenChain) {
  TempDir dir;
  const std::string db = Damaged(dir, kFlipLastByteOfBlock31);
  auto result = Packtwin({"info", db});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("BROKEN at seq 40"), std::string::npos) << result.out;
}

TEST(DamageNoticed, AnIntactLogReadsWithExit0) {
  TempDir dir;
  WriteLog(dir.File("site.db"), 100);
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, dir.File("site.db"));
    auto result = Packtwin(args);
    EXPECT_NE(result.exit_code, 2) << args[0] << ": " << result.err;  // check may find that random frames break rules
    EXPECT_EQ(result.err.find("hash chain"), std::string::npos) << args[0] << ": " << result.err;
  }
  EXPECT_EQ(Packtwin({"info", dir.File("site.db")}).exit_code, 0);
}

}  // namespace
}  // namespace packtwin

namespace packtwin {
namespace {

// A log still open by its writer (50 frames of `id` and `data`, a commit every
// 10), copied with its -wal as a crash would leave it, as `name`. With
// `checkpoint_after` set, the events up to it were checkpointed into the main
// file and only the rest live in the WAL.
std::string CopyLiveWithWal(const testing::TempDir& dir, const std::string& name, uint32_t id, const std::string& data,
                            int checkpoint_after = -1) {
  const std::string live = dir.File("live-" + name);
  eventlog::WriterOptions options;
  options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(live, options);
  EXPECT_TRUE(writer.ok());
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE((*writer)->Append(testing::CanEvent(1'000'000'000LL + i * 1'000'000LL, id, data)).ok());
    if (i % 10 == 9) {
      EXPECT_TRUE((*writer)->Commit().ok());
    }
    if (i == checkpoint_after) {
      EXPECT_EQ(testing::Sql(live, "PRAGMA wal_checkpoint(PASSIVE);"), "");
    }
  }
  const std::string copy = dir.File(name);
  std::filesystem::copy_file(live, copy);
  std::filesystem::copy_file(live + "-wal", copy + "-wal");
  EXPECT_TRUE((*writer)->Close().ok());
  return copy;
}

std::string CopyWithWal(const testing::TempDir& dir) { return CopyLiveWithWal(dir, "copy.db", 0x180, "abcd"); }

std::string CopyCheckpointedWithWal(const testing::TempDir& dir, const std::string& name) {
  return CopyLiveWithWal(dir, name, 0x181, "wxyz", /*checkpoint_after=*/19);
}

TEST(DamageNoticed, AWalBesideACheckpointedLogIsReadWithIt) {
  testing::TempDir dir;
  const std::string copy = CopyCheckpointedWithWal(dir, "copy.db");
  auto result = Packtwin({"verify", copy});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("intact: 50 events"), std::string::npos) << result.out;
}

// Another log's WAL copied beside this one: its frames check out, but its
// pages would replace this log's. Reported, never read as this capture.
TEST(DamageNoticed, AWalOfAnotherLogIsReportedNotReadAsThisLog) {
  testing::TempDir dir;
  const std::string mine = CopyCheckpointedWithWal(dir, "mine.db");
  const std::string other = CopyWithWal(dir);  // copy.db with its own WAL: other frames
  std::filesystem::copy_file(other + "-wal", mine + "-wal", std::filesystem::copy_options::overwrite_existing);
  for (const char* command : {"verify", "state", "check"}) {
    auto result = Packtwin({command, mine});
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("mine.db-wal: holds another log's pages"), std::string::npos) << command << ": " << result.err;
  }
}

void FlipWalByte(const std::string& db, size_t offset) {
  std::fstream wal(db + "-wal", std::ios::in | std::ios::out | std::ios::binary);
  wal.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  wal.get(byte);
  wal.seekp(static_cast<std::streamoff>(offset));
  wal.put(static_cast<char>(byte ^ 0x5A));
}

TEST(DamageNoticed, AWalIsPartOfTheLog) {
  testing::TempDir dir;
  const std::string copy = CopyWithWal(dir);
  ASSERT_GT(std::filesystem::file_size(copy + "-wal"), 4096u) << "the committed blocks live in the WAL";
  auto intact = Packtwin({"verify", copy});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_NE(intact.out.find("intact: 50 events"), std::string::npos) << intact.out;
  // A WAL cut after a commit reads as a crash there would: intact, but not finished.
  EXPECT_NE(intact.out.find("not finished: no capture_stop at the end"), std::string::npos) << intact.out;
}

TEST(DamageNoticed, ADamagedWalIsReportedNotReadAsAShorterLog) {
  testing::TempDir dir;
  const std::string copy = CopyWithWal(dir);
  FlipWalByte(copy, 32 + 24 + 100);  // inside the first frame's page
  auto result = Packtwin({"verify", copy});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("copy.db-wal: frame 1 of"), std::string::npos) << result.err;
  EXPECT_EQ(Packtwin({"check", copy}).exit_code, 2) << "every reader, not only verify";
}

TEST(DamageNoticed, AWalWithADamagedHeaderIsReported) {
  testing::TempDir dir;
  const std::string copy = CopyWithWal(dir);
  FlipWalByte(copy, 20);  // a salt
  auto result = Packtwin({"verify", copy});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("header's checksum does not match"), std::string::npos) << result.err;
}

TEST(DamageNoticed, AWalEndingInsideAFrameIsWhatACrashLeavesNotDamage) {
  testing::TempDir dir;
  const std::string copy = CopyWithWal(dir);
  const auto size = std::filesystem::file_size(copy + "-wal");
  std::filesystem::resize_file(copy + "-wal", size + 100);  // a frame header and part of a page, never committed
  auto result = Packtwin({"verify", copy});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
}  // namespace packtwin
