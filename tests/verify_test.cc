// `verify` finds a changed, removed or inserted event and names the first bad seq.
#include "packtwin/eventlog/verify.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Sql;
using testing::TempDir;
using testing::WriteLog;

constexpr const char* kDropTriggers = "DROP TRIGGER blocks_refuse_update; DROP TRIGGER blocks_refuse_delete;";

eventlog::ChainReport Verify(const std::string& path);

// A log of `events` frames in blocks of 10, tampered with by `sql` (triggers dropped first).
eventlog::ChainReport Tampered(int events, const std::string& sql) {
  TempDir dir;
  WriteLog(dir.File("a.db"), events);
  EXPECT_EQ(Sql(dir.File("a.db"), std::string(kDropTriggers) + sql), "");
  return Verify(dir.File("a.db"));
}

eventlog::ChainReport Verify(const std::string& path) {
  auto reader = eventlog::EventReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  auto report = eventlog::VerifyChain(**reader);
  EXPECT_TRUE(report.ok()) << report.status().message();
  return *report;
}

TEST(VerifyChain, IntactLogPasses) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 100);
  auto report = Verify(dir.File("a.db"));
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.events_checked, 100u);
}

TEST(VerifyChain, EmptyLogPasses) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 0);
  EXPECT_TRUE(Verify(dir.File("a.db")).intact);
}

// One flipped byte names the event it is in (its record check fails), not
// every event of its block, and the rest of the log is still checked.
TEST(VerifyChain, AFlippedByteNamesTheOneEventItIsIn) {
  auto report = Tampered(100,
                         "UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
                         "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE first_seq = 31");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 40u) << "the block's last byte is seq 40's data";
  EXPECT_EQ(report.damaged, (std::map<uint64_t, uint64_t>{{40, 40}}));
  EXPECT_NE(report.problem.find("1 event failed its record check (seq 40): changed; the rest of the log checks out"),
            std::string::npos)
      << report.problem;
  EXPECT_EQ(report.events_checked, 99u);
}

// Every byte of a block flipped in turn: the damage is always inside that
// block, and a flipped data byte names exactly its own event. A flipped time
// delta also names the later events of the block (their times depend on it).
TEST(VerifyChain, EveryFlippedByteOfABlockIsLocatedInsideIt) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 50);
  int single_event = 0;
  int located = 0;
  const int body_bytes = testing::BlockBodySize(dir.File("a.db"), 21);
  ASSERT_GT(body_bytes, 40);
  for (int offset = 0; offset < body_bytes; ++offset) {
    const std::string copy = dir.File("flip.db");
    std::filesystem::copy_file(dir.File("a.db"), copy, std::filesystem::copy_options::overwrite_existing);
    Sql(copy, std::string(kDropTriggers) +
                  fmt::format("UPDATE blocks SET body = CAST(substr(body, 1, {0}) || "
                              "CASE WHEN substr(body, {1}, 1) = X'00' THEN X'01' ELSE X'00' END || "
                              "substr(body, {2}) AS BLOB) WHERE first_seq = 21",
                              offset, offset + 1, offset + 2));
    auto report = Verify(copy);
    EXPECT_FALSE(report.intact) << "offset " << offset;
    ASSERT_TRUE(report.first_bad_seq.has_value());
    EXPECT_GE(*report.first_bad_seq, 21u) << "offset " << offset << ": " << report.problem;
    EXPECT_LE(*report.first_bad_seq, 30u) << "offset " << offset << ": " << report.problem;
    for (const auto& [first, last] : report.damaged) {
      EXPECT_GE(first, 21u) << "offset " << offset;
      EXPECT_LE(last, 30u) << "offset " << offset;
    }
    if (!report.damaged.empty()) ++located;
    if (report.damaged.size() == 1 && report.damaged.begin()->first == report.damaged.begin()->second) ++single_event;
  }
  EXPECT_GE(single_event, 40) << "each of the 10 events' 4 data bytes names its event alone";
  EXPECT_GE(located, body_bytes * 9 / 10) << "nearly every flip is located finer than the block";
}

// A log written before record checks existed is still located to its block.
TEST(VerifyChain, ALogWithoutRecordChecksIsLocatedToTheBlock) {
  auto report = Tampered(100,
                         "DROP TABLE record_checks; "
                         "UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
                         "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE first_seq = 31");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 31u);
  EXPECT_NE(report.problem.find("events seq 31 to 40"), std::string::npos) << report.problem;
}

TEST(VerifyChain, ChangedBlockHeaderIsFound) {
  auto report = Tampered(100, "UPDATE blocks SET max_wall_ns = max_wall_ns + 1 WHERE first_seq = 41");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 41u);
  EXPECT_NE(report.problem.find("header columns (times, kinds) that do not match"), std::string::npos) << report.problem;
}

TEST(VerifyChain, DeletedBlockIsFound) {
  auto report = Tampered(100, "DELETE FROM blocks WHERE first_seq = 51");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 51u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST(VerifyChain, DeletedTailIsFound) {
  auto report = Tampered(100, "DELETE FROM blocks WHERE first_seq > 90");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 91u);
}

TEST(VerifyChain, InsertedBlockWithForeignHashIsFound) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 20);
  Sql(dir.File("a.db"),
      "INSERT INTO blocks(first_seq, last_seq, min_wall_ns, max_wall_ns, kinds, body, hash) "
      "SELECT 21, 30, min_wall_ns, max_wall_ns, kinds, body, hash FROM blocks WHERE first_seq = 11");
  auto report = Verify(dir.File("a.db"));
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 21u);
}

TEST(VerifyChain, InsertedBlockWithCorrectHashIsFoundByTheCommittedCount) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 20);
  // Forge a copy of the last block chained correctly: only the committed count catches it.
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok());
  auto head = (*reader)->HashAt(20);
  ASSERT_TRUE(head.ok());
  eventlog::Sha256Digest chain{};
  std::copy(head->begin(), head->end(), chain.begin());
  auto cursor = (*reader)->FromSeq(11);
  eventlog::StoredEvent row;
  while (*(*cursor)->Next(&row)) {
    chain = eventlog::ChainHash(chain, {row.seq + 10, row.capture_ns, row.wall_ns, static_cast<uint32_t>(row.kind), row.source,
                              row.payload});
  }
  cursor->reset();  // a finished log is in rollback-journal mode: readers' locks block writers
  reader->reset();
  Sql(dir.File("a.db"), "INSERT INTO blocks(first_seq, last_seq, min_wall_ns, max_wall_ns, kinds, body, hash) "
                        "SELECT 21, 30, min_wall_ns, max_wall_ns, kinds, body, X'" + eventlog::ToHex(chain) +
                            "' FROM blocks WHERE first_seq = 11");
  auto report = Verify(dir.File("a.db"));
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 21u);
  EXPECT_NE(report.problem.find("inserted"), std::string::npos) << report.problem;
}

}  // namespace
}  // namespace packtwin
