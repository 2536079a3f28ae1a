#include "packtwin/eventlog/event_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "block_codec.h"
#include "record_checks.h"
#include "packtwin/base/bug.h"
#include "packtwin/base/log_time_range.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/eventlog/sqlite_db.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/eventlog/stored_block.h"
#include "store_schema.h"

namespace packtwin::eventlog {

struct NewSource {
  int64_t id;
  std::string name;
  std::string config;
};

// What one commit writes: the sources first seen since the last block, and
// the block of records appended since (its hash is set when it is chained).
struct Batch {
  std::vector<NewSource> sources;
  StoredBlock block;
  int64_t previous_wall_ns = 0;  // the last record's, for the next one's delta
};

// Sealed blocks waiting for the commit thread, at most: bounds memory when
// appends outrun the disk.
constexpr size_t kMaxSealedBlocks = 4;

struct EventWriter::Impl {
  // Guarded by db_mutex_.
  sqlite::Db db;
  std::optional<sqlite::Statement> insert_block;
  std::optional<sqlite::Statement> insert_checks;  // none in a log written before record checks
  std::optional<sqlite::Statement> insert_source;
  std::optional<sqlite::Statement> upsert_meta;
  bool in_transaction = false;
  Sha256Digest head{};
  std::vector<std::string> source_names;  // by id - 1, as committed

  // Guarded by mutex_.
  WriterOptions options;
  std::map<std::string, int64_t, std::less<>> source_ids;
  std::string last_source;  // the previous append's, whose id is last_source_id
  int64_t last_source_id = 0;
  std::vector<NewSource> new_sources;
  uint64_t last_seq = 0;
  size_t pending = 0;  // events in the open block
  bool closed = false;
  Status failure;  // the first error; the writer refuses further work after it
  std::string body;  // reused: one event's stored body
  v1::Event headless;  // reused: an event other than a CAN frame without its header
  Batch open;        // the open block
  std::vector<Batch> sealed;  // full blocks, oldest first, not yet taken by a commit

  Status Fail(Status status) {
    if (failure.ok()) failure = std::move(status);
    return failure;
  }

  Status Open(sqlite::Db opened, const WriterOptions& writer_options, bool create) {
    db = std::move(opened);
    options = writer_options;
    PACKTWIN_RETURN_IF_ERROR(db.Exec(options.durable ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                                     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
    // A new log's schema and first meta commit together (Start's flush): a
    // crash while it is made leaves no half-made log.
    if (create) {
      PACKTWIN_RETURN_IF_ERROR(Begin());
      PACKTWIN_RETURN_IF_ERROR(CreateSchema(db));
    }
    auto block_stmt = db.Prepare(
        "INSERT INTO blocks(first_seq, last_seq, min_wall_ns, max_wall_ns, kinds, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
    auto source_stmt = db.Prepare("INSERT INTO sources(id, name, config) VALUES (?, ?, ?)");
    auto meta_stmt = db.Prepare(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!block_stmt.ok()) return block_stmt.status();
    if (!source_stmt.ok()) return source_stmt.status();
    if (!meta_stmt.ok()) return meta_stmt.status();
    insert_block.emplace(std::move(*block_stmt));
    // A log written before record checks is appended to as it is: its old
    // blocks have none, so it is located to the block either way.
    auto has_checks = HasRecordChecks(db);
    if (!has_checks.ok()) return has_checks.status();
    if (*has_checks) {
      auto checks_stmt = db.Prepare("INSERT INTO record_checks(first_seq, checks) VALUES (?, ?)");
      if (!checks_stmt.ok()) return checks_stmt.status();
      insert_checks.emplace(std::move(*checks_stmt));
    }
    insert_source.emplace(std::move(*source_stmt));
    upsert_meta.emplace(std::move(*meta_stmt));
    return Status::Ok();
  }

  // An existing log's sources, last seq and chain head: appending goes on from there.
  Status LoadTail(const std::string& path) {
    auto sources = db.Prepare("SELECT id, name FROM sources ORDER BY id");
    if (!sources.ok()) return sources.status();
    // Bounded by the sources table.
    while (true) {
      auto row = sources->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t id = sources->ColumnInt(0);
      if (id != static_cast<int64_t>(source_names.size()) + 1) {
        return Status::Corruption(fmt::format("{}: source ids are not 1, 2, 3...: the log is damaged", path));
      }
      source_names.push_back(sources->ColumnText(1));
      source_ids.emplace(source_names.back(), id);
    }
    auto last = db.Prepare("SELECT last_seq, hash FROM blocks ORDER BY first_seq DESC LIMIT 1");
    if (!last.ok()) return last.status();
    auto row = last->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    const std::string_view hash = last->ColumnBlobView(1);
    if (hash.size() != head.size()) return Status::Corruption(fmt::format("{}: the last block's hash is damaged", path));
    std::copy(hash.begin(), hash.end(), head.begin());
    last_seq = static_cast<uint64_t>(last->ColumnInt(0));
    return Status::Ok();
  }

  // The chain from `*chain` over a block's records, numbered from first_seq,
  // with `names` by source id; false when the records do not decode, name an
  // unknown source, or do not add up to the header.
  static bool ChainRecords(const StoredBlock& block, const std::vector<std::string>& names, Sha256Digest* chain) {
    uint64_t seq = block.first_seq;
    block::Summary summary;
    const bool read = block::ForEachRecord(block.body, [&](const block::Record& r) {
      if (r.source_id < 1 || static_cast<size_t>(r.source_id) > names.size()) return false;
      *chain = ChainHash(*chain, {seq++, r.capture_ns, r.wall_ns, static_cast<uint32_t>(r.kind),
                                  names[static_cast<size_t>(r.source_id) - 1], r.body});
      summary.Add(r);
      return true;
    });
    return read && block.last_seq >= block.first_seq &&
           summary.Matches(block.last_seq - block.first_seq + 1, block.min_wall_ns, block.max_wall_ns, block.kinds);
  }

  Status Begin() {
    if (in_transaction) return Status::Ok();
    PACKTWIN_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    in_transaction = true;
    return Status::Ok();
  }

  Status PutMeta(const std::string& key, const std::string& value) {
    PACKTWIN_RETURN_IF_ERROR(Begin());
    upsert_meta->Reset();
    upsert_meta->BindText(1, key);
    upsert_meta->BindText(2, value);
    auto done = upsert_meta->Step();
    return done.ok() ? Status::Ok() : done.status();
  }

  Status InsertSource(const NewSource& source) {
    PACKTWIN_RETURN_IF_ERROR(Begin());
    insert_source->Reset();
    insert_source->BindInt(1, source.id);
    insert_source->BindText(2, source.name);
    insert_source->BindText(3, source.config);
    auto done = insert_source->Step();
    if (!done.ok()) return done.status();
    if (source.id != static_cast<int64_t>(source_names.size()) + 1) PACKTWIN_BUG("event writer: source ids out of order");
    source_names.push_back(source.name);
    return Status::Ok();
  }

  Status InsertBlock(const StoredBlock& block) {
    PACKTWIN_RETURN_IF_ERROR(Begin());
    auto& insert = *insert_block;
    insert.Reset();
    insert.BindInt(1, static_cast<int64_t>(block.first_seq));
    insert.BindInt(2, static_cast<int64_t>(block.last_seq));
    insert.BindInt(3, block.min_wall_ns);
    insert.BindInt(4, block.max_wall_ns);
    insert.BindInt(5, block.kinds);
    insert.BindBlob(6, block.body.data(), block.body.size());
    insert.BindBlob(7, block.hash.data(), block.hash.size());
    auto done = insert.Step();
    if (!done.ok()) return done.status();
    return insert_checks ? InsertChecks(block) : Status::Ok();
  }

  Status InsertChecks(const StoredBlock& block) {
    const std::string checks = block::RecordChecks(block.body);
    if (checks.empty()) PACKTWIN_BUG("event writer: a block it stores does not decode");
    auto& insert = *insert_checks;
    insert.Reset();
    insert.BindInt(1, static_cast<int64_t>(block.first_seq));
    insert.BindBlob(2, checks.data(), checks.size());
    auto done = insert.Step();
    return done.ok() ? Status::Ok() : done.status();
  }

  Status PutTail(uint64_t seq) {
    PACKTWIN_RETURN_IF_ERROR(PutMeta(meta_key::kChainHead, ToHex(head)));
    return PutMeta(meta_key::kEventCount, std::to_string(seq));
  }

  // One transaction per block: the head and count commit atomically with the
  // block they describe, so verify can tell a truncated tail from a clean end.
  Status Write(std::vector<Batch>& batches) {
    for (Batch& batch : batches) {
      for (const auto& source : batch.sources) PACKTWIN_RETURN_IF_ERROR(InsertSource(source));
      if (!batch.block.body.empty()) {
        if (!ChainRecords(batch.block, source_names, &head)) PACKTWIN_BUG("event writer: a block it encoded does not decode");
        batch.block.hash.assign(head.begin(), head.end());
        PACKTWIN_RETURN_IF_ERROR(InsertBlock(batch.block));
        PACKTWIN_RETURN_IF_ERROR(PutTail(batch.block.last_seq));
      }
      PACKTWIN_RETURN_IF_ERROR(CommitOpen());
    }
    return CommitOpen();  // meta set on its own (SetMeta) commits here too
  }

  Status CommitOpen() {
    if (!in_transaction) return Status::Ok();
    PACKTWIN_RETURN_IF_ERROR(db.Exec("COMMIT"));
    in_transaction = false;
    return Status::Ok();
  }
};

EventWriter::EventWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<EventWriter>> EventWriter::Create(const std::string& path, const WriterOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument(fmt::format("{}: already exists; choose another name or pass --force to replace it", path));
  }
  auto db = sqlite::Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  auto impl = std::make_unique<Impl>();
  PACKTWIN_RETURN_IF_ERROR(impl->Open(std::move(*db), options, /*create=*/true));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kSchemaVersion, std::to_string(kSchemaVersion)));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kSite, options.site));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kToolVersion, options.tool_version));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kChainHead, ToHex(Sha256Digest{})));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kEventCount, "0"));
  return Start(std::move(impl));
}

Result<std::unique_ptr<EventWriter>> EventWriter::OpenExisting(const std::string& path, const WriterOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(fmt::format("{}: no such file", path));
  auto db = sqlite::Db::Open(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status();
  auto schema = CheckSchema(*db, path);
  if (!schema.ok()) return schema.status();
  if (*schema != kSchemaVersion) {
    return Status::InvalidArgument(fmt::format("{}: schema {} logs are read only; events are appended to schema {} logs", path,
                                               *schema, kSchemaVersion));
  }
  auto impl = std::make_unique<Impl>();
  PACKTWIN_RETURN_IF_ERROR(impl->Open(std::move(*db), options, /*create=*/false));
  PACKTWIN_RETURN_IF_ERROR(impl->LoadTail(path));
  return Start(std::move(impl));
}

Result<std::unique_ptr<EventWriter>> EventWriter::Start(std::unique_ptr<Impl> impl) {
  const bool background = impl->options.background_commits;
  std::unique_ptr<EventWriter> writer(new EventWriter(std::move(impl)));
  PACKTWIN_RETURN_IF_ERROR(writer->Flush(/*seal_open=*/true));
  if (background) writer->flusher_ = std::thread([w = writer.get()] { w->FlushLoop(); });
  return writer;
}

EventWriter::~EventWriter() {
  if (!impl_->closed) (void)Close();
}

void EventWriter::FlushLoop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(impl_->options.commit_interval_ms);
  auto last_commit = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // After a failure only stopping wakes it: nothing more is written.
    const auto woken = [this] { return stopping_ || (impl_->failure.ok() && !impl_->sealed.empty()); };
    if (interval.count() > 0) {
      wake_.wait_until(lock, last_commit + interval, woken);
    } else {
      wake_.wait(lock, woken);
    }
    const bool due = interval.count() > 0 && Clock::now() >= last_commit + interval;
    const bool open_pending = impl_->pending != 0 || !impl_->new_sources.empty();
    if (!impl_->failure.ok() || (impl_->sealed.empty() && !(due && open_pending))) {
      if (due) last_commit = Clock::now();
      continue;
    }
    lock.unlock();
    (void)Flush(due);  // a failure is kept in impl_->failure and returned to the next caller
    if (due) last_commit = Clock::now();
    lock.lock();
  }
}

int64_t EventWriter::SourceIdLocked(const std::string& name, const std::string& config_json) {
  Impl& w = *impl_;
  if (w.last_source_id != 0 && name == w.last_source) return w.last_source_id;
  auto found = w.source_ids.find(name);
  int64_t id = 0;
  if (found != w.source_ids.end()) {
    id = found->second;
  } else {
    id = static_cast<int64_t>(w.source_ids.size()) + 1;
    w.source_ids.emplace(name, id);
    w.new_sources.push_back({id, name, config_json});
  }
  w.last_source = name;
  w.last_source_id = id;
  return id;
}

void EventWriter::SealLocked() {
  Impl& w = *impl_;
  if (w.open.block.body.empty() && w.new_sources.empty()) return;
  w.open.sources = std::move(w.new_sources);
  w.new_sources.clear();
  w.sealed.push_back(std::move(w.open));
  w.open = Batch{};
  w.pending = 0;
}

Status EventWriter::AddSource(const std::string& name, const std::string& config_json) {
  std::lock_guard lock(mutex_);
  if (!impl_->failure.ok()) return impl_->failure;
  if (impl_->source_ids.count(name) != 0) return Status::InvalidArgument(fmt::format("source '{}' is already registered", name));
  SourceIdLocked(name, config_json);
  return Status::Ok();
}

Result<uint64_t> EventWriter::Append(const v1::Event& event) {
  uint64_t seq = 0;
  bool commit_here = false;
  {
    std::unique_lock lock(mutex_);
    Impl& w = *impl_;
    if (!w.failure.ok()) return w.failure;
    if (w.closed) return Status::Closed("the event log is closed");
    const int kind = event.kind_case();
    if (kind == v1::Event::KIND_NOT_SET) return Status::InvalidArgument("an event without a kind cannot be recorded");
    if (!InLogTimeRange(event.wall_time_ns()) || !InLogTimeRange(event.capture_time_ns())) {
      const int64_t bad_ns = InLogTimeRange(event.wall_time_ns()) ? event.capture_time_ns() : event.wall_time_ns();
      return Status::InvalidArgument(fmt::format("an event timed {} cannot be recorded: a log holds times {}",
                                                 FormatDisplayTime(bad_ns), kLogTimeRangeText));
    }
    // The header lives in the record; the body is what is left of the event.
    // A CAN frame's body is its frame alone, so the caller's event (and its
    // buffers, which an importer reuses line after line) is not copied.
    const int64_t source_id = SourceIdLocked(event.source(), "{}");
    const int64_t capture_ns = event.capture_time_ns();
    const int64_t wall_ns = event.wall_time_ns();
    if (kind == v1::Event::kCanFrame) {
      block::EncodeBody(event, event.source(), &w.body);
    } else {
      w.headless = event;
      w.headless.clear_source();
      w.headless.clear_seq();
      w.headless.clear_capture_time_ns();
      w.headless.clear_wall_time_ns();
      block::EncodeBody(w.headless, event.source(), &w.body);
    }
    seq = w.last_seq + 1;
    Batch& batch = w.open;
    StoredBlock& b = batch.block;
    if (b.body.empty()) {
      b.first_seq = seq;
      b.min_wall_ns = wall_ns;
      b.max_wall_ns = wall_ns;
      batch.previous_wall_ns = 0;
    }
    block::AppendRecord(kind, wall_ns, capture_ns, source_id, batch.previous_wall_ns, w.body, &b.body);
    batch.previous_wall_ns = wall_ns;
    b.min_wall_ns = std::min(b.min_wall_ns, wall_ns);
    b.max_wall_ns = std::max(b.max_wall_ns, wall_ns);
    b.kinds |= int64_t{1} << kind;
    b.last_seq = seq;
    w.last_seq = seq;
    if (++w.pending >= w.options.max_batch_events) {
      SealLocked();
      if (flusher_.joinable()) {
        wake_.notify_one();
        // Bounded memory: wait while the commit thread is behind (or failed).
        drained_.wait(lock, [&w] { return w.sealed.size() <= kMaxSealedBlocks || !w.failure.ok(); });
        if (!w.failure.ok()) return w.failure;
      } else {
        commit_here = true;
      }
    }
  }
  if (commit_here) PACKTWIN_RETURN_IF_ERROR(Flush(/*seal_open=*/false));
  return seq;
}

Result<bool> EventWriter::AppendStoredBlock(const StoredBlock& block, const std::vector<SourceInfo>& sources) {
  std::lock_guard db_lock(db_mutex_);
  std::lock_guard lock(mutex_);
  Impl& w = *impl_;
  if (!w.failure.ok()) return w.failure;
  if (w.closed) return Status::Closed("the event log is closed");
  if (!w.open.block.body.empty() || !w.sealed.empty()) PACKTWIN_BUG("event writer: stored blocks mixed with appended events");
  const std::string where = fmt::format("block seq {} to {}", block.first_seq, block.last_seq);
  if (block.last_seq <= w.last_seq) return false;  // already held: a resend
  if (block.first_seq != w.last_seq + 1) {
    return Status::InvalidArgument(fmt::format("{} does not follow seq {}: the blocks between are missing", where, w.last_seq));
  }
  // Sources the block's log registered since this one last heard: ids go on
  // 1, 2, 3 and an id never changes its name.
  std::vector<std::string> names = w.source_names;
  std::vector<NewSource> added;
  for (const SourceInfo& source : sources) {
    const auto index = static_cast<size_t>(source.id) - 1;
    if (source.id >= 1 && index < names.size()) {
      if (names[index] != source.name) {
        return Status::Corruption(fmt::format("{}: source {} is '{}' here but '{}' in the block's log", where, source.id,
                                              names[index], source.name));
      }
    } else if (source.id == static_cast<int64_t>(names.size()) + 1) {
      if (std::find(names.begin(), names.end(), source.name) != names.end()) {
        return Status::Corruption(fmt::format("{}: source '{}' is named twice in the block's log", where, source.name));
      }
      names.push_back(source.name);
      added.push_back({source.id, source.name, source.config});
    } else {
      return Status::Corruption(fmt::format("{}: source ids must go on 1, 2, 3; got {}", where, source.id));
    }
  }
  Sha256Digest chain = w.head;
  if (!Impl::ChainRecords(block, names, &chain)) {
    return Status::Corruption(fmt::format("{}: its records do not decode or do not match its header", where));
  }
  if (block.hash.size() != chain.size() || std::memcmp(block.hash.data(), chain.data(), chain.size()) != 0) {
    return Status::Corruption(fmt::format("{} breaks the chain: its hash is not the chain of its records after seq {}", where,
                                          w.last_seq));
  }
  Status written = [&]() -> Status {
    for (const NewSource& source : added) PACKTWIN_RETURN_IF_ERROR(w.InsertSource(source));
    PACKTWIN_RETURN_IF_ERROR(w.InsertBlock(block));
    w.head = chain;
    // The head and count go in the transaction of the block they describe.
    return w.PutTail(block.last_seq);
  }();
  if (!written.ok()) return w.Fail(written);
  for (const NewSource& source : added) w.source_ids.emplace(source.name, source.id);
  w.last_seq = block.last_seq;
  return true;
}

Status EventWriter::SetMeta(const std::string& key, const std::string& value) {
  std::lock_guard db_lock(db_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (!impl_->failure.ok()) return impl_->failure;
  }
  Status put = impl_->PutMeta(key, value);
  if (!put.ok()) {
    std::lock_guard lock(mutex_);
    return impl_->Fail(put);
  }
  return put;
}

Status EventWriter::Flush(bool seal_open) {
  std::lock_guard db_lock(db_mutex_);
  std::vector<Batch> batches;
  {
    std::lock_guard lock(mutex_);
    if (!impl_->failure.ok()) return impl_->failure;
    if (seal_open) SealLocked();
    batches.swap(impl_->sealed);
  }
  drained_.notify_all();
  Status written = impl_->Write(batches);
  if (!written.ok()) {
    std::lock_guard lock(mutex_);
    Status failed = impl_->Fail(written);
    drained_.notify_all();
    return failed;
  }
  return written;
}

Status EventWriter::Commit() { return Flush(/*seal_open=*/true); }

Status EventWriter::Close() {
  {
    std::lock_guard lock(mutex_);
    if (impl_->closed) return impl_->failure;
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Status flushed = Flush(/*seal_open=*/true);
  std::lock_guard db_lock(db_mutex_);
  std::lock_guard lock(mutex_);
  impl_->closed = true;
  if (impl_->failure.ok()) impl_->failure = flushed;
  // A finished log is one self-contained file: readers then leave no -wal/-shm
  // beside it. Best effort: every event is already committed, and while a
  // reader still has the file open (`packtwin state` on a live capture) SQLite
  // refuses both; the log then stays valid in WAL mode.
  if (impl_->failure.ok() && impl_->db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok()) {
    (void)impl_->db.Exec("PRAGMA journal_mode=DELETE");
  }
  impl_->insert_block.reset();
  impl_->insert_checks.reset();
  impl_->insert_source.reset();
  impl_->upsert_meta.reset();
  Status closed = impl_->db.Close();
  if (impl_->failure.ok()) impl_->failure = closed;
  return impl_->failure;
}

}  // namespace packtwin::eventlog
