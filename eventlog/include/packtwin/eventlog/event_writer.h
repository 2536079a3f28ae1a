// Appends events to a new event-log file. Events are written inside a
// transaction and committed in batches: when max_batch_events are pending, and
// (with background commits) at least every commit_interval_ms, so a crash loses
// at most that interval and never what was committed. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "packtwin/eventlog/event_hash.h"
#include "packtwin/base/status.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

namespace sqlite {
class Db;
class Statement;
}  // namespace sqlite

struct WriterOptions {
  std::string site;
  std::string tool_version;
  int commit_interval_ms = 100;
  size_t max_batch_events = 65536;
  bool background_commits = true;  // a thread commits pending events every interval
  bool durable = true;             // fsync each commit (synchronous=FULL)
};

class EventWriter {
 public:
  // Creates `path`, which must not exist.
  static Result<std::unique_ptr<EventWriter>> Create(const std::string& path, const WriterOptions& options);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // Registers a source with its configuration (JSON); Append registers unknown
  // sources with "{}". Sources are immutable once written.
  Status AddSource(const std::string& name, const std::string& config_json);
  // Assigns the next sequence number, chains and stores the event; returns seq.
  Result<uint64_t> Append(v1::Event event);
  Status SetMeta(const std::string& key, const std::string& value);
  Status Commit();
  // Final commit and checkpoint; the file is then complete on its own (no -wal).
  Status Close();

 private:
  struct Impl;
  explicit EventWriter(std::unique_ptr<Impl> impl);
  void FlushLoop();
  // Moves the open block (and new sources) out under mutex_, then writes and
  // commits them under db_mutex_ alone, so appends never wait for an fsync.
  Status Flush();
  int64_t SourceIdLocked(const std::string& name, const std::string& config_json);

  std::unique_ptr<Impl> impl_;
  mutable std::mutex mutex_;     // the open block, the chain head, sources, failure
  mutable std::mutex db_mutex_;  // the SQLite connection; taken before mutex_ when both are needed
  std::condition_variable wake_;
  std::thread flusher_;
  bool stopping_ = false;
};

}  // namespace packtwin::eventlog
