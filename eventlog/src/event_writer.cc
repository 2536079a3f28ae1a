#include "packtwin/eventlog/event_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "packtwin/eventlog/event_kind.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/eventlog/sqlite_db.h"
#include "block_codec.h"
#include "store_schema.h"

namespace packtwin {

struct EventWriter::Impl {
  sqlite::Db db;
  std::optional<sqlite::Statement> insert_block;
  std::optional<sqlite::Statement> insert_source;
  std::optional<sqlite::Statement> upsert_meta;
  WriterOptions options;
  std::map<std::string, int64_t> source_ids;
  Sha256Digest head{};
  uint64_t last_seq = 0;
  size_t pending = 0;  // rows in the open transaction
  bool in_transaction = false;
  bool closed = false;
  Status failure;  // the first error; the writer refuses further work after it

  // Records the first failure and returns it.
  Status Fail(Status status) {
    if (failure.ok()) failure = std::move(status);
    return failure;
  }
  std::string body;  // reused: one event's stored body

  // The open block: events appended since the last commit.
  std::string block;
  uint64_t block_first_seq = 0;
  int64_t block_min_wall_ns = 0;
  int64_t block_max_wall_ns = 0;
  int64_t block_previous_wall_ns = 0;
  int64_t block_kinds = 0;

  Status FlushBlock() {
    if (block.empty()) return Status::Ok();
    PACKTWIN_RETURN_IF_ERROR(Begin());
    auto& insert = *insert_block;
    insert.Reset();
    insert.BindInt(1, static_cast<int64_t>(block_first_seq));
    insert.BindInt(2, static_cast<int64_t>(last_seq));
    insert.BindInt(3, block_min_wall_ns);
    insert.BindInt(4, block_max_wall_ns);
    insert.BindInt(5, block_kinds);
    insert.BindBlob(6, block.data(), block.size());
    insert.BindBlob(7, head.data(), head.size());
    auto done = insert.Step();
    if (!done.ok()) return done.status();
    block.clear();
    block_kinds = 0;
    return Status::Ok();
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
};

EventWriter::EventWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<EventWriter>> EventWriter::Create(const std::string& path, const WriterOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::Error(fmt::format("{}: already exists; choose another name or pass --force to replace it", path));
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
  auto insert_source = impl->db.Prepare("INSERT INTO sources(name, config) VALUES (?, ?)");
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
  std::unique_ptr<EventWriter> writer(new EventWriter(std::move(impl)));
  {
    std::lock_guard lock(writer->mutex_);
    PACKTWIN_RETURN_IF_ERROR(writer->CommitLocked());
  }
  if (options.background_commits) writer->flusher_ = std::thread([w = writer.get()] { w->FlushLoop(); });
  return writer;
}

EventWriter::~EventWriter() {
  if (!impl_->closed) (void)Close();
}

void EventWriter::FlushLoop() {
  const auto interval = std::chrono::milliseconds(impl_->options.commit_interval_ms);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval, [this] { return stopping_; });
    if (impl_->failure.ok() && impl_->pending > 0) impl_->failure = CommitLocked();
  }
}

Result<int64_t> EventWriter::SourceIdLocked(const std::string& name, const std::string& config_json) {
  auto found = impl_->source_ids.find(name);
  if (found != impl_->source_ids.end()) return found->second;
  PACKTWIN_RETURN_IF_ERROR(impl_->Begin());
  auto& insert = *impl_->insert_source;
  insert.Reset();
  insert.BindText(1, name);
  insert.BindText(2, config_json);
  auto done = insert.Step();
  if (!done.ok()) return done.status();
  const int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  impl_->source_ids.emplace(name, id);
  return id;
}

Status EventWriter::AddSource(const std::string& name, const std::string& config_json) {
  std::lock_guard lock(mutex_);
  if (!impl_->failure.ok()) return impl_->failure;
  if (impl_->source_ids.count(name) != 0) return Status::Error(fmt::format("source '{}' is already registered", name));
  auto id = SourceIdLocked(name, config_json);
  return id.ok() ? Status::Ok() : id.status();
}

Result<uint64_t> EventWriter::Append(v1::Event event) {
  std::lock_guard lock(mutex_);
  if (!impl_->failure.ok()) return impl_->failure;
  if (impl_->closed) return Status::Error("the event log is closed");
  const int kind = event.kind_case();
  if (kind == v1::Event::KIND_NOT_SET) return Status::Error("an event without a kind cannot be recorded");
  auto source_id = SourceIdLocked(event.source(), "{}");
  if (!source_id.ok()) return impl_->Fail(source_id.status());

  Impl& w = *impl_;
  const uint64_t seq = w.last_seq + 1;
  const int64_t capture_ns = event.capture_time_ns();
  const int64_t wall_ns = event.wall_time_ns();
  const std::string& source = event.source();
  block::EncodeBody(event, source, &w.body);
  const Sha256Digest hash = ChainHash(w.head, {seq, capture_ns, wall_ns, static_cast<uint32_t>(kind), source, w.body});
  if (w.block.empty()) {
    w.block_first_seq = seq;
    w.block_min_wall_ns = wall_ns;
    w.block_max_wall_ns = wall_ns;
    w.block_previous_wall_ns = 0;
  }
  block::AppendRecord(kind, wall_ns, capture_ns, *source_id, w.block_previous_wall_ns, w.body, &w.block);
  w.block_previous_wall_ns = wall_ns;
  w.block_min_wall_ns = std::min(w.block_min_wall_ns, wall_ns);
  w.block_max_wall_ns = std::max(w.block_max_wall_ns, wall_ns);
  w.block_kinds |= int64_t{1} << kind;
  w.head = hash;
  w.last_seq = seq;
  ++w.pending;
  if (impl_->pending >= impl_->options.max_batch_events) {
    Status committed = CommitLocked();
    if (!committed.ok()) return impl_->Fail(committed);
  }
  return seq;
}

Status EventWriter::SetMeta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  if (!impl_->failure.ok()) return impl_->failure;
  return impl_->PutMeta(key, value);
}

Status EventWriter::CommitLocked() {
  PACKTWIN_RETURN_IF_ERROR(impl_->FlushBlock());
  if (!impl_->in_transaction) return Status::Ok();
  // The head and count commit atomically with the rows they describe, so
  // verify can tell a truncated tail from a clean end.
  PACKTWIN_RETURN_IF_ERROR(impl_->PutMeta(meta_key::kChainHead, ToHex(impl_->head)));
  PACKTWIN_RETURN_IF_ERROR(impl_->PutMeta(meta_key::kEventCount, std::to_string(impl_->last_seq)));
  PACKTWIN_RETURN_IF_ERROR(impl_->db.Exec("COMMIT"));
  impl_->in_transaction = false;
  impl_->pending = 0;
  return Status::Ok();
}

Status EventWriter::Commit() {
  std::lock_guard lock(mutex_);
  if (!impl_->failure.ok()) return impl_->failure;
  return impl_->failure = CommitLocked();
}

Status EventWriter::Close() {
  {
    std::lock_guard lock(mutex_);
    if (impl_->closed) return impl_->failure;
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  std::lock_guard lock(mutex_);
  impl_->closed = true;
  if (impl_->failure.ok()) impl_->failure = CommitLocked();
  if (impl_->failure.ok()) impl_->failure = impl_->db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  // A finished log is one self-contained file: readers then leave no -wal/-shm beside it.
  if (impl_->failure.ok()) impl_->failure = impl_->db.Exec("PRAGMA journal_mode=DELETE");
  impl_->insert_block.reset();
  impl_->insert_source.reset();
  impl_->upsert_meta.reset();
  Status closed = impl_->db.Close();
  if (impl_->failure.ok()) impl_->failure = closed;
  return impl_->failure;
}

}  // namespace packtwin
