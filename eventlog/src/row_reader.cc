// Schema 1 logs: one row per event, a hash per row.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "block_codec.h"
#include "packtwin/base/log_time_range.h"
#include "reader_parts.h"
#include "store_schema.h"

namespace packtwin::eventlog::reader {
namespace {

constexpr const char* kSelectRows =
    "SELECT e.seq, e.capture_ns, e.wall_ns, s.name, e.kind, e.can_id, e.node, e.payload, e.hash "
    "FROM events e JOIN sources s ON s.id = e.source_id ";

class SqliteCursor : public EventCursor {
 public:
  explicit SqliteCursor(sqlite::Statement stmt) : stmt_(std::move(stmt)) {}

  Result<bool> Next(StoredEvent* row) override {
    auto has_row = stmt_.Step();
    if (!has_row.ok() || !*has_row) return has_row;
    row->seq = static_cast<uint64_t>(stmt_.ColumnInt(0));
    row->capture_ns = stmt_.ColumnInt(1);
    row->wall_ns = stmt_.ColumnInt(2);
    row->source = stmt_.ColumnTextView(3);
    row->kind = static_cast<int>(stmt_.ColumnInt(4));
    row->can_id = stmt_.ColumnIsNull(5) ? std::nullopt : std::optional<int64_t>(stmt_.ColumnInt(5));
    row->node = stmt_.ColumnIsNull(6) ? std::nullopt : std::optional<int64_t>(stmt_.ColumnInt(6));
    row->payload = stmt_.ColumnBlobView(7);
    row->hash = stmt_.ColumnBlobView(8);
    row->schema = 1;
    // A hand-made row may carry any time; one no log holds is damage, as in a block.
    if (!InLogTimeRange(row->wall_ns) || !InLogTimeRange(row->capture_ns)) {
      return Status::Corruption(
          fmt::format("event seq {}: its time is not {}: the file is damaged", row->seq, kLogTimeRangeText));
    }
    return true;
  }

 private:
  sqlite::Statement stmt_;
};

class RowReader : public EventReader {
 public:
  RowReader(sqlite::Db db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  const std::string& path() const override { return path_; }

  Result<StoreMeta> Meta() override { return ReadMeta(db_); }
  Result<std::vector<SourceInfo>> Sources() override { return ReadSources(db_); }

  Result<EventCounts> Counts() override {
    return QueryCounts(db_, "SELECT count(*), min(seq), max(seq), min(wall_ns), max(wall_ns) FROM events");
  }

  Result<std::vector<KindSourceCount>> CountByKindAndSource() override {
    auto stmt = db_.Prepare(
        "SELECT e.kind, s.name, count(*) FROM events e JOIN sources s ON s.id = e.source_id "
        "GROUP BY e.kind, s.name ORDER BY e.kind, s.name");
    if (!stmt.ok()) return stmt.status();
    std::vector<KindSourceCount> counts;
    while (true) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      counts.push_back({static_cast<int>(stmt->ColumnInt(0)), stmt->ColumnText(1),
                        static_cast<uint64_t>(stmt->ColumnInt(2))});
    }
    return counts;
  }

  Result<std::unique_ptr<EventCursor>> FromSeq(uint64_t first_seq) override {
    auto stmt = db_.Prepare(std::string(kSelectRows) + "WHERE e.seq >= ? ORDER BY e.seq");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, static_cast<int64_t>(first_seq));
    return std::unique_ptr<EventCursor>(new SqliteCursor(std::move(*stmt)));
  }

  Result<std::string> HashAt(uint64_t seq) override {
    auto stmt = db_.Prepare("SELECT hash FROM events WHERE seq = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, static_cast<int64_t>(seq));
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    return *row ? stmt->ColumnBlob(0) : std::string();
  }

  Result<uint64_t> LastSeqAtOrBefore(int64_t wall_ns) override {
    // Logs are written in time order, so the first event past the time bounds it.
    auto stmt = db_.Prepare("SELECT min(seq) FROM events WHERE wall_ns > ?");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, wall_ns);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!stmt->ColumnIsNull(0)) return static_cast<uint64_t>(stmt->ColumnInt(0) - 1);
    auto last = db_.Prepare("SELECT coalesce(max(seq), 0) FROM events");
    if (!last.ok()) return last.status();
    auto last_row = last->Step();
    if (!last_row.ok()) return last_row.status();
    return static_cast<uint64_t>(last->ColumnInt(0));
  }

  Result<std::unique_ptr<EventCursor>> FromWallTime(int64_t wall_ns) override {
    auto first = db_.Prepare("SELECT min(seq) FROM events WHERE wall_ns >= ?");
    if (!first.ok()) return first.status();
    first->BindInt(1, wall_ns);
    auto row = first->Step();
    if (!row.ok()) return row.status();
    // No event at or after that time: an empty cursor (seq beyond every row).
    const bool none = first->ColumnIsNull(0);
    return FromSeq(none ? static_cast<uint64_t>(INT64_MAX) : static_cast<uint64_t>(first->ColumnInt(0)));
  }

 private:
  sqlite::Db db_;
  std::string path_;
};

}  // namespace

std::unique_ptr<EventReader> OpenRows(sqlite::Db db, std::string path) {
  return std::unique_ptr<EventReader>(new RowReader(std::move(db), std::move(path)));
}

}  // namespace packtwin::eventlog::reader
