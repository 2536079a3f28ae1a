// `verify` finds a changed, removed or inserted event and names the first bad seq.
#include "packtwin/eventlog/verify.h"

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Sql;
using testing::TempDir;
using testing::WriteLog;

constexpr const char* kDropTriggers =
    "DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete;";

ChainReport Verify(const std::string& path);

// A log of `events` frames, tampered with by `sql` (triggers dropped first).
ChainReport Tampered(int events, const std::string& sql) {
  TempDir dir;
  WriteLog(dir.File("a.db"), events);
  EXPECT_EQ(Sql(dir.File("a.db"), std::string(kDropTriggers) + sql), "");
  return Verify(dir.File("a.db"));
}

ChainReport Verify(const std::string& path) {
  auto reader = EventReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  auto report = VerifyChain(**reader);
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

TEST(VerifyChain, FlippedPayloadByteIsFound) {
  auto report = Tampered(100,
                         "UPDATE events SET payload = CAST(substr(payload, 1, length(payload) - 1) || "
                         "CASE WHEN substr(payload, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE seq = 37");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 37u);
}

TEST(VerifyChain, ChangedTimeIsFound) {
  EXPECT_EQ(Tampered(10, "UPDATE events SET wall_ns = wall_ns + 1 WHERE seq = 4").first_bad_seq, 4u);
}

TEST(VerifyChain, ChangedIndexColumnIsFound) {
  auto report = Tampered(10, "UPDATE events SET can_id = 1 WHERE seq = 6");
  EXPECT_EQ(report.first_bad_seq, 6u);
  EXPECT_NE(report.problem.find("indexed can_id/node columns"), std::string::npos);
}

TEST(VerifyChain, DeletedRowIsFound) {
  auto report = Tampered(100, "DELETE FROM events WHERE seq = 50");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 50u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos);
}

TEST(VerifyChain, DeletedTailIsFound) {
  auto report = Tampered(100, "DELETE FROM events WHERE seq > 90");
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 91u);
}

TEST(VerifyChain, InsertedRowWithForeignHashIsFound) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 20);
  Sql(dir.File("a.db"),
      "INSERT INTO events(seq, capture_ns, wall_ns, source_id, kind, can_id, node, payload, hash) "
      "SELECT 21, capture_ns, wall_ns, source_id, kind, can_id, node, payload, hash FROM events WHERE seq = 20");
  auto report = Verify(dir.File("a.db"));
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 21u);
}

TEST(VerifyChain, InsertedRowWithCorrectHashIsFoundByTheCommittedCount) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 20);
  // Forge an event with a correctly chained hash: only the committed count catches it.
  auto reader = EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok());
  auto cursor = (*reader)->FromSeq(20);
  StoredEvent last;
  ASSERT_TRUE((*cursor)->Next(&last).ok());
  Sha256Digest previous{};
  std::copy(last.hash.begin(), last.hash.end(), previous.begin());
  const auto forged = ChainHash(previous, {21, last.capture_ns, last.wall_ns, static_cast<uint32_t>(last.kind),
                                           last.source, last.payload});
  cursor->reset();  // a finished log is in rollback-journal mode: readers' locks block writers
  reader->reset();
  Sql(dir.File("a.db"), "INSERT INTO events(seq, capture_ns, wall_ns, source_id, kind, can_id, node, payload, hash) "
                        "SELECT 21, capture_ns, wall_ns, source_id, kind, can_id, node, payload, X'" +
                            ToHex(forged) + "' FROM events WHERE seq = 20");
  auto report = Verify(dir.File("a.db"));
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 21u);
  EXPECT_NE(report.problem.find("inserted"), std::string::npos) << report.problem;
}

}  // namespace
}  // namespace packtwin
