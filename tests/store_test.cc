// The event log: append and stream back, immutability, and refusing files
// that are not ours, newer than us, or damaged.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <sqlite3.h>
#include <vector>
#include <fstream>

#include "block_codec.h"
#include "packtwin/base/log_time_range.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/eventlog/stored_block.h"
#include "packtwin/eventlog/verify.h"
#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::CanEvent;
using testing::Sql;
using testing::TempDir;
using testing::WriteLog;

// A row with its bytes kept: a cursor's rows are views valid only until its
// next Next. Kept in a deque, whose elements never move, so the views stay put.
struct KeptRow : eventlog::StoredEvent {
  explicit KeptRow(const eventlog::StoredEvent& row)
      : eventlog::StoredEvent(row), source_bytes(row.source), payload_bytes(row.payload), hash_bytes(row.hash) {
    source = source_bytes;
    payload = payload_bytes;
    hash = hash_bytes;
  }
  KeptRow(const KeptRow&) = delete;
  KeptRow& operator=(const KeptRow&) = delete;
  std::string source_bytes;
  std::string payload_bytes;
  std::string hash_bytes;
};

std::deque<KeptRow> ReadAll(eventlog::EventCursor& cursor) {
  std::deque<KeptRow> rows;
  eventlog::StoredEvent row;
  while (true) {
    auto more = cursor.Next(&row);
    EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.status().message());
    if (!more.ok() || !*more) return rows;
    rows.emplace_back(row);
  }
}

TEST(EventStore, AppendAssignsSequenceAndReadsBackInOrder) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 50);
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto cursor = (*reader)->FromSeq(0);
  ASSERT_TRUE(cursor.ok());
  auto rows = ReadAll(**cursor);
  ASSERT_EQ(rows.size(), 50u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, i + 1);
    auto event = eventlog::DecodeEvent(rows[i]);
    ASSERT_TRUE(event.ok());
    EXPECT_EQ(event->can_frame().id(), 0x180u + i % 8);
    EXPECT_EQ(event->source(), "can0");
    EXPECT_EQ(rows[i].schema, 2);
    EXPECT_EQ(rows[i].hash.empty(), rows[i].seq % 10 != 0) << "the chain is stored at each block's end";
  }
}

TEST(EventStore, StreamsFromAWallTime) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 20);
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok());
  auto cursor = (*reader)->FromWallTime(1'000'000'000LL + 15 * 1'000'000LL);
  ASSERT_TRUE(cursor.ok());
  auto rows = ReadAll(**cursor);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.front().seq, 16u);
  auto none = (*reader)->FromWallTime(INT64_MAX);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(ReadAll(**none).empty());
}

TEST(EventStore, TriggersRefuseUpdateAndDelete) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 3);
  EXPECT_EQ(Sql(dir.File("a.db"), "UPDATE blocks SET max_wall_ns = 0 WHERE first_seq = 1"),
            "packtwin: events are immutable; UPDATE refused");
  EXPECT_EQ(Sql(dir.File("a.db"), "DELETE FROM blocks WHERE first_seq = 1"),
            "packtwin: events are immutable; DELETE refused");
  EXPECT_EQ(Sql(dir.File("a.db"), "UPDATE sources SET name = 'x'"), "packtwin: sources are immutable; UPDATE refused");
}

TEST(EventStore, CreateRefusesAnExistingFile) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 1);
  auto again = eventlog::EventWriter::Create(dir.File("a.db"), {});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);
}

TEST(EventStore, AReaderOfALiveLogSeesSourcesAddedAfterItOpened) {
  TempDir dir;
  eventlog::WriterOptions options;
  options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(dir.File("live.db"), options);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(CanEvent(1'000'000'000, 0x181, "\x01")).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto reader = eventlog::EventReader::Open(dir.File("live.db"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  v1::Event later = CanEvent(2'000'000'000, 0x182, "\x02");
  later.set_source("can1");
  ASSERT_TRUE((*writer)->Append(later).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto cursor = (*reader)->FromSeq(0);
  ASSERT_TRUE(cursor.ok());
  const auto rows = ReadAll(**cursor);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].source, "can1");
  ASSERT_TRUE((*writer)->Close().ok());
}

TEST(EventStore, ACanFrameTakesUnder24BytesOnDisk) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 100'000, 4000);
  const auto bytes = std::filesystem::file_size(dir.File("a.db"));
  EXPECT_LT(static_cast<double>(bytes) / 100'000, 24.0) << bytes << " bytes";
}

// A schema-1 file (a row per event, written by packtwin before blocks), built
// the way that writer laid it out: a CAN frame at each of `walls_ns` (wall and
// capture time), every row's chain hash right.
void WriteSchemaOneLog(const std::string& path, const std::vector<int64_t>& walls_ns) {
  ASSERT_EQ(Sql(path, "PRAGMA application_id = 1347704654; PRAGMA user_version = 1;"
                      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
                      "CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, config TEXT NOT NULL DEFAULT '{}');"
                      "CREATE TABLE events (seq INTEGER PRIMARY KEY, capture_ns INTEGER NOT NULL, wall_ns INTEGER NOT NULL,"
                      " source_id INTEGER NOT NULL, kind INTEGER NOT NULL, can_id INTEGER, node INTEGER,"
                      " payload BLOB NOT NULL, hash BLOB NOT NULL);"
                      "INSERT INTO sources(id, name) VALUES (1, 'can0');"),
            "");
  eventlog::Sha256Digest head{};
  for (uint64_t seq = 1; seq <= walls_ns.size(); ++seq) {
    v1::Event body = testing::CanEvent(0, 0x181, "\x01\x02");
    body.clear_wall_time_ns();
    body.clear_capture_time_ns();
    body.clear_source();
    const std::string payload = body.SerializeAsString();
    const int64_t wall = walls_ns[seq - 1];
    head = eventlog::ChainHash(head, {seq, wall, wall, static_cast<uint32_t>(v1::Event::kCanFrame), "can0", payload});
    std::string hex_payload;
    for (unsigned char c : payload) hex_payload += fmt::format("{:02X}", c);
    ASSERT_EQ(Sql(path, fmt::format("INSERT INTO events VALUES ({0}, {1}, {1}, 1, 10, 385, 1, X'{2}', X'{3}')", seq, wall,
                                    hex_payload, eventlog::ToHex(head))),
              "");
  }
  ASSERT_EQ(Sql(path, fmt::format("INSERT INTO meta VALUES ('event_count', '{}'), ('chain_head', '{}')", walls_ns.size(),
                                  eventlog::ToHex(head))), "");
}

TEST(EventStore, SchemaOneFilesAreStillReadAndVerified) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  WriteSchemaOneLog(path, {1'000'000'000, 2'000'000'000, 3'000'000'000});
  auto reader = eventlog::EventReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto cursor = (*reader)->FromSeq(0);
  ASSERT_TRUE(cursor.ok());
  auto rows = ReadAll(**cursor);
  ASSERT_EQ(rows.size(), 3u);
  auto event = eventlog::DecodeEvent(rows[2]);
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->can_frame().id(), 0x181u);
  EXPECT_EQ(event->wall_time_ns(), 3'000'000'000LL);
  auto report = eventlog::VerifyChain(**reader);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST(EventStore, ASchemaOneRowTimedOutsideTheYearsALogHoldsIsDamageNotATime) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  // Chained right, so only its time gives it away; 2262-04-11, which 64-bit
  // nanoseconds still hold but no sum of times near it does.
  WriteSchemaOneLog(path, {1'000'000'000, 9'223'372'000'000'000'000});
  auto reader = eventlog::EventReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto cursor = (*reader)->FromSeq(0);
  ASSERT_TRUE(cursor.ok());
  eventlog::StoredEvent row;
  ASSERT_TRUE(*(*cursor)->Next(&row));
  auto second = (*cursor)->Next(&row);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsCorruption());
  EXPECT_EQ(second.status().message(),
            "event seq 2: its time is not between 1900-01-01 and 2099-12-31 (UTC): the file is damaged");
  auto report = eventlog::VerifyChain(**reader);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_bad_seq, 2u);
}

TEST(EventWriter, RefusesAnEventTimedOutsideTheYearsALogHolds) {
  TempDir dir;
  auto writer = eventlog::EventWriter::Create(dir.File("a.db"), {});
  ASSERT_TRUE(writer.ok());
  for (const int64_t wall_ns : {kEarliestLogTimeNs - 1, kLatestLogTimeNs + 1, INT64_MIN, INT64_MAX}) {
    auto refused = (*writer)->Append(CanEvent(wall_ns, 0x181, "\x01"));
    ASSERT_FALSE(refused.ok()) << wall_ns;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("a log holds times between 1900-01-01 and 2099-12-31 (UTC)"),
              std::string::npos) << refused.status().message();
  }
  v1::Event late_capture = CanEvent(1'000'000'000, 0x181, "\x01");
  late_capture.set_capture_time_ns(kLatestLogTimeNs + 1);
  auto refused = (*writer)->Append(late_capture);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("an event timed 2100-01-01T00:00:00"), std::string::npos)
      << "the capture time is named: " << refused.status().message();
  // Nothing refused was kept, and the writer goes on: both ends are times a log holds.
  EXPECT_EQ(*(*writer)->Append(CanEvent(kEarliestLogTimeNs, 0x181, "\x01")), 1u);
  EXPECT_EQ(*(*writer)->Append(CanEvent(kLatestLogTimeNs, 0x181, "\x02")), 2u);
  ASSERT_TRUE((*writer)->Close().ok());
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok());
  auto report = eventlog::VerifyChain(**reader);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->events_checked, 2u);
}

TEST(BlockCodec, ARecordTimedOutsideTheYearsALogHoldsDoesNotDecode) {
  // As a hand-made block would hold it: deltas that stay inside int64 but
  // land outside the years (the writer never makes one).
  for (const int64_t wall_ns : {kLatestLogTimeNs + 1, kEarliestLogTimeNs - 1}) {
    std::string body;
    eventlog::block::AppendRecord(v1::Event::kCanFrame, wall_ns, wall_ns, 1, 0, "x", &body);
    size_t pos = 0;
    eventlog::block::Record record;
    EXPECT_FALSE(eventlog::block::ReadRecord(body, &pos, 0, &record)) << wall_ns;
  }
  std::string body;
  eventlog::block::AppendRecord(v1::Event::kCanFrame, kLatestLogTimeNs, kLatestLogTimeNs - 5, 1, 0, "x", &body);
  size_t pos = 0;
  eventlog::block::Record record;
  ASSERT_TRUE(eventlog::block::ReadRecord(body, &pos, 0, &record));
  EXPECT_EQ(record.wall_ns, kLatestLogTimeNs);
  EXPECT_EQ(record.capture_ns, kLatestLogTimeNs - 5);
}

TEST(EventStore, NewerSchemaIsRefusedWithAClearMessage) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 1);
  Sql(dir.File("a.db"), "PRAGMA user_version = 99");
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(),
            dir.File("a.db") + ": written by a newer packtwin (schema version 99; this packtwin reads up to 2). "
                               "Upgrade packtwin to read it; the file is left untouched.");
}

TEST(EventStore, ForeignSqliteFileIsRefused) {
  TempDir dir;
  Sql(dir.File("other.db"), "CREATE TABLE t(x)");
  auto reader = eventlog::EventReader::Open(dir.File("other.db"));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("not a packtwin capture (an SQLite database with application_id 0"),
            std::string::npos)
      << reader.status().message();
}

TEST(EventStore, TextFileIsRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("x.db"), "(1.000000) can0 123#00\n");
  auto reader = eventlog::EventReader::Open(dir.File("x.db"));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("not a packtwin capture: file is not a database"), std::string::npos)
      << reader.status().message();
}

TEST(EventStore, TruncatedFileGivesAnErrorNotACrash) {
  TempDir dir;
  WriteLog(dir.File("a.db"), 3000);
  const auto size = std::filesystem::file_size(dir.File("a.db"));
  std::filesystem::resize_file(dir.File("a.db"), size / 2);
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  if (!reader.ok()) return;  // refused at open: fine
  auto cursor = (*reader)->FromSeq(0);
  ASSERT_TRUE(cursor.ok());
  eventlog::StoredEvent row;
  Status failure;
  for (int i = 0; i < 4000; ++i) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) {
      failure = more.status();
      break;
    }
    if (!*more) break;
  }
  ASSERT_FALSE(failure.ok()) << "reading a half-truncated log must fail";
  EXPECT_NE(failure.message().find("damaged or truncated"), std::string::npos) << failure.message();
}

TEST(EventStore, MissingFileAndDirectory) {
  TempDir dir;
  EXPECT_EQ(eventlog::EventReader::Open(dir.File("none.db")).status().message(), dir.File("none.db") + ": no such file");
  EXPECT_EQ(eventlog::EventReader::Open(dir.path()).status().message(), dir.path() + ": is a directory, not a capture");
}

TEST(EventStore, EventWithoutKindIsRefused) {
  TempDir dir;
  auto writer = eventlog::EventWriter::Create(dir.File("a.db"), {});
  ASSERT_TRUE(writer.ok());
  v1::Event empty;
  auto seq = (*writer)->Append(empty);
  ASSERT_FALSE(seq.ok());
  EXPECT_EQ(seq.status().message(), "an event without a kind cannot be recorded");
}

TEST(EventStore, BackgroundCommitMakesEventsVisibleWithinTheInterval) {
  TempDir dir;
  eventlog::WriterOptions options;
  options.commit_interval_ms = 50;
  auto writer = eventlog::EventWriter::Create(dir.File("a.db"), options);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(CanEvent(1, 0x123, "x")).ok());
  // Another connection sees only committed rows.
  auto reader = eventlog::EventReader::Open(dir.File("a.db"));
  ASSERT_TRUE(reader.ok());
  bool seen = false;
  for (int attempt = 0; attempt < 100 && !seen; ++attempt) {
    auto counts = (*reader)->Counts();
    ASSERT_TRUE(counts.ok());
    seen = counts->events == 1;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(seen) << "not committed within a second";
}


// The block sizes of a log, in order, read as a tool outside packtwin would.
std::vector<int64_t> BlockSizes(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT last_seq - first_seq + 1 FROM blocks ORDER BY first_seq", -1, &stmt, nullptr);
  std::vector<int64_t> sizes;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) sizes.push_back(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return sizes;
}

// Writes `count` frames with the given writer settings; returns the chain head.
std::string WriteFrames(const std::string& path, int count, eventlog::WriterOptions options) {
  auto writer = eventlog::EventWriter::Create(path, options);
  if (!writer.ok()) return "create: " + writer.status().message();
  for (int i = 0; i < count; ++i) {
    v1::Event event = CanEvent(1'000'000'000LL + i * 1'000LL, 0x180u + static_cast<uint32_t>(i % 5), std::string(3, static_cast<char>(i)));
    if (i % 7 == 0) event.set_source("can1");
    if (!(*writer)->Append(std::move(event)).ok()) return "append failed";
  }
  if (!(*writer)->Close().ok()) return "close failed";
  auto reader = eventlog::EventReader::Open(path);
  if (!reader.ok()) return reader.status().message();
  auto meta = (*reader)->Meta();
  return meta.ok() ? (*meta)[eventlog::meta_key::kChainHead] : meta.status().message();
}

TEST(EventWriter, WithoutACommitIntervalBlocksEndOnlyWhenFullSoTheSameInputGivesTheSameFile) {
  TempDir dir;
  eventlog::WriterOptions options;
  options.background_commits = true;
  options.commit_interval_ms = 0;
  options.durable = false;
  options.max_batch_events = 100;
  const std::string head = WriteFrames(dir.File("a.db"), 1234, options);
  EXPECT_EQ(BlockSizes(dir.File("a.db")), (std::vector<int64_t>{100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 34}));
  EXPECT_EQ(WriteFrames(dir.File("b.db"), 1234, options), head);
  std::ifstream a(dir.File("a.db"), std::ios::binary);
  std::ifstream b(dir.File("b.db"), std::ios::binary);
  EXPECT_TRUE(std::equal(std::istreambuf_iterator<char>(a), {}, std::istreambuf_iterator<char>(b), {}))
      << "two writes of the same events must give the same bytes";
}

TEST(EventWriter, TheChainIsTheSameWhetherTheAppenderOrTheCommitThreadComputesIt) {
  TempDir dir;
  eventlog::WriterOptions inline_commits;
  inline_commits.background_commits = false;
  inline_commits.durable = false;
  inline_commits.max_batch_events = 64;
  eventlog::WriterOptions threaded = inline_commits;
  threaded.background_commits = true;
  threaded.commit_interval_ms = 1;  // blocks cut by time too: the chain must not care
  const std::string head = WriteFrames(dir.File("inline.db"), 5000, inline_commits);
  ASSERT_EQ(head.size(), 64u) << head;
  EXPECT_EQ(WriteFrames(dir.File("threaded.db"), 5000, threaded), head);
  auto reader = eventlog::EventReader::Open(dir.File("threaded.db"));
  ASSERT_TRUE(reader.ok());
  auto report = eventlog::VerifyChain(**reader);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->intact) << report->problem;
}

// The collector's path: blocks copied as stored from one log into another.
TEST(EventWriter, StoredBlocksAppendOnlyWhenTheyContinueTheChain) {
  TempDir dir;
  WriteLog(dir.File("src.db"), 30, 10);  // three blocks
  auto file = eventlog::BlockFile::Open(dir.File("src.db"));
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto blocks = (*file)->BlocksAfter(0, 10);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 3u);
  auto sources = (*file)->Sources();
  ASSERT_TRUE(sources.ok());
  eventlog::WriterOptions options;
  options.background_commits = false;
  options.durable = false;
  {
    auto copy = eventlog::EventWriter::Create(dir.File("copy.db"), options);
    ASSERT_TRUE(copy.ok());
    auto gap = (*copy)->AppendStoredBlock((*blocks)[1], *sources);
    EXPECT_EQ(gap.status().code(), StatusCode::kInvalidArgument) << "a block after a missing one";
    auto first = (*copy)->AppendStoredBlock((*blocks)[0], *sources);
    ASSERT_TRUE(first.ok()) << first.status().message();
    EXPECT_TRUE(*first);
    std::vector<eventlog::SourceInfo> renamed = *sources;
    renamed.push_back({static_cast<int64_t>(renamed.size()) + 1, renamed.front().name, "{}"});
    auto named_twice = (*copy)->AppendStoredBlock((*blocks)[1], renamed);
    EXPECT_TRUE(named_twice.status().IsCorruption()) << "a source name given a second id is refused, not a database error";
    auto resent = (*copy)->AppendStoredBlock((*blocks)[0], *sources);
    ASSERT_TRUE(resent.ok());
    EXPECT_FALSE(*resent) << "a block already held is recognised";
    eventlog::StoredBlock forged = (*blocks)[1];
    forged.body[forged.body.size() - 1] ^= 0x40;
    auto broken = (*copy)->AppendStoredBlock(forged, *sources);
    ASSERT_FALSE(broken.ok());
    EXPECT_TRUE(broken.status().IsCorruption());
    EXPECT_NE(broken.status().message().find("block seq 11 to 20 breaks the chain"), std::string::npos) << broken.status().message();
    ASSERT_TRUE((*copy)->Close().ok());
  }
  // A writer opened again goes on from the file's own tail.
  auto reopened = eventlog::EventWriter::OpenExisting(dir.File("copy.db"), options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  for (size_t i = 1; i < blocks->size(); ++i) {
    auto appended = (*reopened)->AppendStoredBlock((*blocks)[i], *sources);
    ASSERT_TRUE(appended.ok()) << appended.status().message();
    EXPECT_TRUE(*appended);
  }
  ASSERT_TRUE((*reopened)->Close().ok());
  auto source_reader = eventlog::EventReader::Open(dir.File("src.db"));
  auto copy_reader = eventlog::EventReader::Open(dir.File("copy.db"));
  ASSERT_TRUE(source_reader.ok() && copy_reader.ok());
  auto source_chain = eventlog::VerifyChain(**source_reader);
  auto copy_chain = eventlog::VerifyChain(**copy_reader);
  ASSERT_TRUE(source_chain.ok() && copy_chain.ok());
  EXPECT_TRUE(copy_chain->intact) << copy_chain->problem;
  EXPECT_EQ(copy_chain->head_hex, source_chain->head_hex);
  EXPECT_EQ(copy_chain->events_checked, 30u);
}

}  // namespace
}  // namespace packtwin
