#include "packtwin/eventlog/event_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "block_codec.h"
#include "packtwin/base/bug.h"
#include "packtwin/eventlog/sqlite_db.h"
#include "packtwin/eventlog/store_format.h"
#include "store_schema.h"

namespace packtwin::eventlog {

struct NewSource {
  int64_t id;
  std::string name;
  std::string config;
};

// What one block holds: the sources first seen since the last block, and the
// records appended since. The chain head after its last event is computed
// when it is committed.
struct Batch {
  std::vector<NewSource> sources;
  std::string block;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  int64_t min_wall_ns = 0;
  int64_t max_wall_ns = 0;
  int64_t kinds = 0;
  int64_t previous_wall_ns = 0;  // the last record's, for the next one's delta
};

// Sealed blocks waiting for the commit thread, at most: bounds memory when
// appends outrun the disk.
constexpr size_t kMaxSealedBlocks = 4;

struct EventWriter::Impl {
  // Guarded by db_mutex_.
  sqlite::Db db;
  std::optional<sqlite::Statement> insert_block;
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
  Batch open;        // the open block
  std::vector<Batch> sealed;  // full blocks, oldest first, not yet taken by a commit

  Status Fail(Status status) {
    if (failure.ok()) failure = std::move(status);
    return failure;
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

  // The chain over the block's records, in the order they were appended.
  Status ChainBlock(const Batch& batch) {
    size_t pos = 0;
    int64_t previous_wall_ns = 0;
    block::Record r;
    // Bounded by the block: each record consumes bytes, one seq each.
    for (uint64_t seq = batch.first_seq; seq <= batch.last_seq; ++seq) {
      const bool read = block::ReadRecord(batch.block, &pos, previous_wall_ns, &r);
      if (!read || r.source_id < 1 || static_cast<size_t>(r.source_id) > source_names.size()) {
        PACKTWIN_BUG("event writer: a block it encoded does not decode");
      }
      previous_wall_ns = r.wall_ns;
      head = ChainHash(head, {seq, r.capture_ns, r.wall_ns, static_cast<uint32_t>(r.kind),
                              source_names[static_cast<size_t>(r.source_id) - 1], r.body});
    }
    return Status::Ok();
  }

  Status InsertBlock(const Batch& batch) {
    PACKTWIN_RETURN_IF_ERROR(Begin());
    PACKTWIN_RETURN_IF_ERROR(ChainBlock(batch));
    auto& insert = *insert_block;
    insert.Reset();
    insert.BindInt(1, static_cast<int64_t>(batch.first_seq));
    insert.BindInt(2, static_cast<int64_t>(batch.last_seq));
    insert.BindInt(3, batch.min_wall_ns);
    insert.BindInt(4, batch.max_wall_ns);
    insert.BindInt(5, batch.kinds);
    insert.BindBlob(6, batch.block.data(), batch.block.size());
    insert.BindBlob(7, head.data(), head.size());
    auto done = insert.Step();
    return done.ok() ? Status::Ok() : done.status();
  }

  // One transaction per block: the head and count commit atomically with the
  // block they describe, so verify can tell a truncated tail from a clean end.
  Status Write(const std::vector<Batch>& batches) {
    for (const Batch& batch : batches) {
      for (const auto& source : batch.sources) PACKTWIN_RETURN_IF_ERROR(InsertSource(source));
      if (!batch.block.empty()) {
        PACKTWIN_RETURN_IF_ERROR(InsertBlock(batch));
        PACKTWIN_RETURN_IF_ERROR(PutMeta(meta_key::kChainHead, ToHex(head)));
        PACKTWIN_RETURN_IF_ERROR(PutMeta(meta_key::kEventCount, std::to_string(batch.last_seq)));
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
  impl->db = std::move(*db);
  impl->options = options;
  PACKTWIN_RETURN_IF_ERROR(impl->db.Exec(options.durable ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                                         : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  PACKTWIN_RETURN_IF_ERROR(CreateSchema(impl->db));
  auto insert_block = impl->db.Prepare(
      "INSERT INTO blocks(first_seq, last_seq, min_wall_ns, max_wall_ns, kinds, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
  auto insert_source = impl->db.Prepare("INSERT INTO sources(id, name, config) VALUES (?, ?, ?)");
  auto upsert_meta = impl->db.Prepare(
      "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!insert_block.ok()) return insert_block.status();
  if (!insert_source.ok()) return insert_source.status();
  if (!upsert_meta.ok()) return upsert_meta.status();
  impl->insert_block.emplace(std::move(*insert_block));
  impl->insert_source.emplace(std::move(*insert_source));
  impl->upsert_meta.emplace(std::move(*upsert_meta));

  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kSchemaVersion, std::to_string(kSchemaVersion)));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kSite, options.site));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kToolVersion, options.tool_version));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kChainHead, ToHex(Sha256Digest{})));
  PACKTWIN_RETURN_IF_ERROR(impl->PutMeta(meta_key::kEventCount, "0"));
  std::unique_ptr<EventWriter> writer(new EventWriter(std::move(impl)));
  PACKTWIN_RETURN_IF_ERROR(writer->Flush(/*seal_open=*/true));
  if (options.background_commits) writer->flusher_ = std::thread([w = writer.get()] { w->FlushLoop(); });
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
  if (w.open.block.empty() && w.new_sources.empty()) return;
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

Result<uint64_t> EventWriter::Append(v1::Event event) {
  uint64_t seq = 0;
  bool commit_here = false;
  {
    std::unique_lock lock(mutex_);
    Impl& w = *impl_;
    if (!w.failure.ok()) return w.failure;
    if (w.closed) return Status::Closed("the event log is closed");
    const int kind = event.kind_case();
    if (kind == v1::Event::KIND_NOT_SET) return Status::InvalidArgument("an event without a kind cannot be recorded");
    // The header lives in the record; the body is what is left of the event.
    const std::string source = std::move(*event.mutable_source());
    const int64_t source_id = SourceIdLocked(source, "{}");
    const int64_t capture_ns = event.capture_time_ns();
    const int64_t wall_ns = event.wall_time_ns();
    event.clear_source();
    event.clear_seq();
    event.clear_capture_time_ns();
    event.clear_wall_time_ns();
    block::EncodeBody(event, source, &w.body);
    seq = w.last_seq + 1;
    Batch& b = w.open;
    if (b.block.empty()) {
      b.first_seq = seq;
      b.min_wall_ns = wall_ns;
      b.max_wall_ns = wall_ns;
      b.previous_wall_ns = 0;
    }
    block::AppendRecord(kind, wall_ns, capture_ns, source_id, b.previous_wall_ns, w.body, &b.block);
    b.previous_wall_ns = wall_ns;
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
  impl_->insert_source.reset();
  impl_->upsert_meta.reset();
  Status closed = impl_->db.Close();
  if (impl_->failure.ok()) impl_->failure = closed;
  return impl_->failure;
}

}  // namespace packtwin::eventlog
