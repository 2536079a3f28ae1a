// Schema 2 logs: blocks of compact records, one chain hash per block.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "block_codec.h"
#include "packtwin/base/log_time_range.h"
#include "record_checks.h"
#include "reader_parts.h"
#include "store_schema.h"

namespace packtwin::eventlog::reader {
namespace {

using SourceNames = std::map<int64_t, std::string>;

Result<SourceNames> LoadSourceNames(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT id, name FROM sources");
  if (!stmt.ok()) return stmt.status();
  SourceNames names;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return names;
    names[stmt->ColumnInt(0)] = stmt->ColumnText(1);
  }
}

// Schema 2: blocks of compact records (block_codec.h). Each block's records
// are read once, when it is loaded: that pass validates the block against its
// header and keeps the records (views into the block's bytes) for Next.
class BlockCursor : public EventCursor {
 public:
  // `reload` refreshes `sources` from the file: a log still being recorded
  // gains sources after it was opened.
  // `with_checks`: the statement's eighth column holds the block's record checks.
  BlockCursor(sqlite::Statement stmt, const SourceNames* sources, std::function<Status()> reload, uint64_t first_seq,
              bool with_checks)
      : stmt_(std::move(stmt)),
        sources_(sources),
        reload_(std::move(reload)),
        first_seq_(first_seq),
        with_checks_(with_checks) {}

  Result<bool> Next(StoredEvent* row) override {
    // Bounded by the blocks: each pass returns a record or loads the next block.
    while (true) {
      if (next_ >= records_.size()) {
        auto more = LoadBlock();
        if (!more.ok() || !*more) return more;
        continue;
      }
      const size_t index = next_++;
      const block::Record& r = records_[index];
      const uint64_t seq = block_first_ + index;
      if (seq < first_seq_) continue;
      if (damaged_[index]) {
        *row = StoredEvent{};
        row->seq = seq;
        row->hash = seq == last_seq_ ? hash_ : std::string_view();
        row->schema = 2;
        row->damaged = true;
        return true;
      }
      auto source = sources_->find(r.source_id);
      if (source == sources_->end()) {
        PACKTWIN_RETURN_IF_ERROR(reload_());
        source = sources_->find(r.source_id);
      }
      if (source == sources_->end()) return Damaged(fmt::format("event seq {} names an unknown source {}", seq, r.source_id));
      row->seq = seq;
      row->capture_ns = r.capture_ns;
      row->wall_ns = r.wall_ns;
      row->source = source->second;
      row->kind = r.kind;
      row->can_id.reset();
      row->node.reset();
      row->payload = r.body;
      row->hash = seq == last_seq_ ? hash_ : std::string_view();
      row->schema = 2;
      row->damaged = false;
      return true;
    }
  }

 private:
  Result<bool> LoadBlock() {
    const uint64_t expected_first = last_seq_ + 1;
    records_.clear();
    next_ = 0;
    auto has_row = stmt_.Step();
    if (!has_row.ok() || !*has_row) return has_row;
    block_first_ = static_cast<uint64_t>(stmt_.ColumnInt(0));
    last_seq_ = static_cast<uint64_t>(stmt_.ColumnInt(1));
    if (loaded_ && block_first_ != expected_first) {
      return Status::Corruption(fmt::format("events seq {} to {} are missing: removed", expected_first, block_first_ - 1));
    }
    loaded_ = true;
    body_ = stmt_.ColumnBlobView(2);  // valid until the next Step: as long as this block's records
    hash_ = stmt_.ColumnBlobView(3);
    checks_ = with_checks_ ? stmt_.ColumnBlobView(7) : std::string_view();
    if (body_.empty() || last_seq_ < block_first_) return Damaged("is empty or its header is inconsistent");
    PACKTWIN_RETURN_IF_ERROR(ReadRecords(stmt_.ColumnInt(4), stmt_.ColumnInt(5), stmt_.ColumnInt(6)));
    return true;
  }

  // Decodes every record of the block; the columns queries use (times,
  // kinds, seq range) must say what the records say, or a query would lie:
  // checked before any event of the block is returned. With record checks,
  // a record that fails its check is handed out as damaged (and so is every
  // record from one that no longer decodes), the others as they are.
  Status ReadRecords(int64_t min_wall_ns, int64_t max_wall_ns, int64_t kinds) {
    const uint64_t count = last_seq_ - block_first_ + 1;
    block::Summary summary;
    const bool read = block::ForEachRecord(body_, [&](const block::Record& r) {
      if (records_.size() >= count) return false;  // more records than the header says
      summary.Add(r);
      records_.push_back(r);
      return true;
    });
    damaged_.assign(records_.size(), false);
    // The body's CRC-32 first (cheap); its records one by one only when it fails.
    if (block::ChecksFit(checks_, count) && !block::BodyCheckMatches(body_, checks_) && MarkDamaged(count)) {
      return Status::Ok();
    }
    if (!read && records_.size() < count) {
      return Damaged(fmt::format("has a record that does not decode (its bytes, or a time not {})", kLogTimeRangeText));
    }
    if (!read || records_.size() != count) return Damaged("holds a different number of events than its header says");
    if (!summary.Matches(count, min_wall_ns, max_wall_ns, kinds)) {
      return Damaged("has header columns (times, kinds) that do not match its events");
    }
    return Status::Ok();
  }

  // Flags each record whose check fails and pads the records that no longer
  // decode as damaged; true when any record was flagged (the block is then
  // handed out with its damage located).
  bool MarkDamaged(uint64_t count) {
    bool any = records_.size() < count;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (block::StoredCheck(checks_, i) != block::RecordCheck(records_[i])) damaged_[i] = any = true;
    }
    records_.resize(count);
    damaged_.resize(count, true);
    return any;
  }

  Status Damaged(const std::string& what) {
    records_.clear();  // nothing of a damaged block is returned
    return Status::Corruption(fmt::format("events seq {} to {}: the block {}: the file is damaged", block_first_, last_seq_, what));
  }

  sqlite::Statement stmt_;
  const SourceNames* sources_;
  std::function<Status()> reload_;
  uint64_t first_seq_;
  std::string_view body_;
  std::string_view hash_;
  std::string_view checks_;  // empty when the file keeps no record checks
  bool with_checks_;
  std::vector<block::Record> records_;  // the loaded block's, reused from block to block
  std::vector<bool> damaged_;  // per record of the loaded block
  size_t next_ = 0;
  uint64_t block_first_ = 0;
  uint64_t last_seq_ = 0;
  bool loaded_ = false;
};

class BlockReader : public EventReader {
 public:
  BlockReader(sqlite::Db db, std::string path, SourceNames sources, bool with_checks)
      : db_(std::move(db)), path_(std::move(path)), sources_(std::move(sources)), with_checks_(with_checks) {}

  const std::string& path() const override { return path_; }

  Result<StoreMeta> Meta() override { return ReadMeta(db_); }
  Result<std::vector<SourceInfo>> Sources() override { return ReadSources(db_); }

  Result<EventCounts> Counts() override {
    return QueryCounts(db_,
                       "SELECT coalesce(sum(last_seq - first_seq + 1), 0), min(first_seq), max(last_seq), "
                       "min(min_wall_ns), max(max_wall_ns) FROM blocks");
  }

  Result<std::vector<KindSourceCount>> CountByKindAndSource() override {
    auto cursor = FromSeq(0);
    if (!cursor.ok()) return cursor.status();
    std::map<std::pair<int, std::string>, uint64_t> counts;
    StoredEvent row;
    while (true) {
      auto more = (*cursor)->Next(&row);
      if (!more.ok()) return more.status();
      if (!*more) break;
      if (!row.damaged) ++counts[{row.kind, std::string(row.source)}];
    }
    std::vector<KindSourceCount> out;
    for (const auto& [key, n] : counts) out.push_back({key.first, key.second, n});
    return out;
  }

  Result<std::unique_ptr<EventCursor>> FromSeq(uint64_t first_seq) override {
    auto stmt = db_.Prepare(
        with_checks_ ? "SELECT first_seq, last_seq, body, hash, min_wall_ns, max_wall_ns, kinds, checks FROM blocks "
                       "LEFT JOIN record_checks USING (first_seq) WHERE last_seq >= ? ORDER BY first_seq"
                     : "SELECT first_seq, last_seq, body, hash, min_wall_ns, max_wall_ns, kinds FROM blocks "
                       "WHERE last_seq >= ? ORDER BY first_seq");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(first_seq, INT64_MAX)));
    auto reload = [this]() -> Status {
      auto sources = LoadSourceNames(db_);
      if (!sources.ok()) return sources.status();
      sources_ = std::move(*sources);
      return Status::Ok();
    };
    return std::unique_ptr<EventCursor>(new BlockCursor(std::move(*stmt), &sources_, reload, first_seq, with_checks_));
  }

  // The chain is stored at block ends; inside a block it is recomputed from
  // the previous block's hash.
  Result<std::string> HashAt(uint64_t seq) override {
    auto stmt = db_.Prepare("SELECT first_seq FROM blocks WHERE first_seq <= ? AND last_seq >= ?");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, static_cast<int64_t>(seq));
    stmt->BindInt(2, static_cast<int64_t>(seq));
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::string();
    const int64_t first = stmt->ColumnInt(0);
    Sha256Digest chain{};
    auto previous = db_.Prepare("SELECT hash FROM blocks WHERE first_seq < ? ORDER BY first_seq DESC LIMIT 1");
    if (!previous.ok()) return previous.status();
    previous->BindInt(1, first);
    auto prev_row = previous->Step();
    if (!prev_row.ok()) return prev_row.status();
    if (*prev_row) {
      const std::string stored = previous->ColumnBlob(0);
      if (stored.size() != chain.size()) return Status::Corruption(fmt::format("{}: a block's hash is damaged", path_));
      std::copy(stored.begin(), stored.end(), chain.begin());
    }
    auto cursor = FromSeq(static_cast<uint64_t>(first));
    if (!cursor.ok()) return cursor.status();
    StoredEvent event;
    // Bounded by the block: seq lies inside it.
    while (true) {
      auto more = (*cursor)->Next(&event);
      if (!more.ok()) return more.status();
      if (!*more) return std::string();
      if (event.damaged) {
        return Status::Corruption(fmt::format("{}: event seq {} is damaged: the chain after it cannot be recomputed; run "
                                              "packtwin verify",
                                              path_, event.seq));
      }
      chain = ChainHash(chain, {event.seq, event.capture_ns, event.wall_ns, static_cast<uint32_t>(event.kind),
                                event.source, event.payload});
      if (event.seq == seq) return std::string(chain.begin(), chain.end());
    }
  }

  // Logs are written in time order, so the first event past the time bounds it.
  Result<uint64_t> LastSeqAtOrBefore(int64_t wall_ns) override {
    auto after = FirstSeqWhere(wall_ns, /*inclusive=*/false);
    if (!after.ok()) return after.status();
    if (*after != 0) return *after - 1;
    auto counts = Counts();
    if (!counts.ok()) return counts.status();
    return counts->last_seq;
  }

  Result<std::unique_ptr<EventCursor>> FromWallTime(int64_t wall_ns) override {
    auto first = FirstSeqWhere(wall_ns, /*inclusive=*/true);
    if (!first.ok()) return first.status();
    return FromSeq(*first == 0 ? static_cast<uint64_t>(INT64_MAX) : *first);
  }

 private:
  // The first event with wall time >= (or >) wall_ns; 0 when none.
  Result<uint64_t> FirstSeqWhere(int64_t wall_ns, bool inclusive) {
    auto stmt = db_.Prepare(inclusive ? "SELECT min(first_seq) FROM blocks WHERE max_wall_ns >= ?"
                                      : "SELECT min(first_seq) FROM blocks WHERE max_wall_ns > ?");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(1, wall_ns);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (stmt->ColumnIsNull(0)) return uint64_t{0};
    auto cursor = FromSeq(static_cast<uint64_t>(stmt->ColumnInt(0)));
    if (!cursor.ok()) return cursor.status();
    StoredEvent event;
    // Bounded by the log.
    while (true) {
      auto more = (*cursor)->Next(&event);
      if (!more.ok()) return more.status();
      if (!*more) return uint64_t{0};
      if (event.damaged) continue;  // its time is not known
      if (inclusive ? event.wall_ns >= wall_ns : event.wall_ns > wall_ns) return event.seq;
    }
  }

  sqlite::Db db_;
  std::string path_;
  SourceNames sources_;
  bool with_checks_;
};

}  // namespace

Result<std::unique_ptr<EventReader>> OpenBlocks(sqlite::Db db, std::string path) {
  auto sources = LoadSourceNames(db);
  if (!sources.ok()) return sources.status();
  auto with_checks = HasRecordChecks(db);
  if (!with_checks.ok()) return with_checks.status();
  return std::unique_ptr<EventReader>(
      new BlockReader(std::move(db), std::move(path), std::move(*sources), *with_checks));
}

}  // namespace packtwin::eventlog::reader
