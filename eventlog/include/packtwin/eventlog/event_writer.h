// Appends events to a new event-log file. Events are written inside a
// transaction and committed in blocks: when max_batch_events are pending, and
// (with background commits) at least every commit_interval_ms, so a crash loses
// at most that interval and never what was committed. Thread-safe.
//
// Appending only encodes the event into the open block. Sealed blocks are
// chained (SHA-256 over each record) and written by whoever commits: the
// writer's own thread with background commits, else the appender itself.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "packtwin/eventlog/event_hash.h"
#include "packtwin/base/status.h"
#include "packtwin/eventlog/stored_block.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

namespace sqlite {
class Db;
class Statement;
}  // namespace sqlite

struct WriterOptions {
  std::string site;
  std::string tool_version;
  // With background commits, the open block is also committed at least this
  // often; 0: only when full, so the same input always gives the same blocks.
  int commit_interval_ms = 100;
  size_t max_batch_events = 65536;
  // A thread of the writer's own chains and commits sealed blocks while
  // appends go on; without it, the appender commits a full block itself.
  bool background_commits = true;
  bool durable = true;  // fsync each commit (synchronous=FULL)
};

class EventWriter {
 public:
  // Creates `path`, which must not exist.
  static Result<std::unique_ptr<EventWriter>> Create(const std::string& path, const WriterOptions& options);
  // Opens an existing log to append after its last event (options.site and
  // tool_version are not written: the log keeps its own).
  static Result<std::unique_ptr<EventWriter>> OpenExisting(const std::string& path, const WriterOptions& options);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // Registers a source with its configuration (JSON); Append registers unknown
  // sources with "{}". Sources are immutable once written.
  Status AddSource(const std::string& name, const std::string& config_json);
  // Assigns the next sequence number, chains and stores the event; returns seq.
  Result<uint64_t> Append(const v1::Event& event);
  // Appends a block exactly as another log stored it (`collect`), in the
  // open transaction (Commit() makes it and the blocks before it durable
  // together), after checking that it continues this log: the next seq, known
  // or new sources (`sources`: the other log's table), records that decode and
  // match the header, and a hash that is the chain of its records after this
  // log's head. True when appended; false when this log already holds it.
  Result<bool> AppendStoredBlock(const StoredBlock& block, const std::vector<SourceInfo>& sources);
  Status SetMeta(const std::string& key, const std::string& value);
  Status Commit();
  // Final commit and checkpoint; the file is then complete on its own (no -wal).
  Status Close();

 private:
  struct Impl;
  explicit EventWriter(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<EventWriter>> Start(std::unique_ptr<Impl> impl);
  void FlushLoop();
  // Takes the sealed blocks (and, when `seal_open`, the open one) under
  // mutex_, then chains, writes and commits them under db_mutex_ alone, so
  // appends never wait for an fsync.
  Status Flush(bool seal_open);
  void SealLocked();
  int64_t SourceIdLocked(const std::string& name, const std::string& config_json);

  std::unique_ptr<Impl> impl_;
  mutable std::mutex mutex_;     // the open and sealed blocks, sources, failure
  mutable std::mutex db_mutex_;  // the SQLite connection and the chain head; taken before mutex_ when both are needed
  std::condition_variable wake_;     // the commit thread: blocks sealed, or stopping
  std::condition_variable drained_;  // appenders waiting for the commit thread to catch up
  std::thread flusher_;
  bool stopping_ = false;
};

}  // namespace packtwin::eventlog
