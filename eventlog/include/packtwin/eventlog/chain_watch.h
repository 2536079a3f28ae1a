// Follows the hash chain over what a command reads, so every reader notices
// damage in it, not only `verify`: each stored hash (every row in schema 1,
// each block's end in schema 2) must match the chain recomputed from the
// events read, and a log read to its end must end where its header says.
// Damage is a Status::Corruption naming the events and pointing at verify.
// Events whose damage the reader located by their record checks (flagged
// `damaged`) are not hashed: their block's chain goes on from its stored
// hash, so the rest of the log is still checked; the reader skips and names
// them.
//
// The hashing (SHA-256 per event, the larger part of reading a log) runs on a
// second thread, batch by batch, while the caller goes on with the events:
// Follow reports damage the hasher has found so far, Finish and Drain wait for
// it. So a reader may handle up to a few batches past a damaged block before
// it stops; it still fails (exit 2) and never calls a damaged log clean.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "packtwin/eventlog/event_hash.h"
#include "packtwin/eventlog/event_reader.h"

namespace packtwin::eventlog {

class ChainWatch {
 public:
  // `from_start`: the reading begins at the log's first event (so reaching
  // the end means the whole log was read).
  ChainWatch(EventReader& reader, bool from_start) : reader_(reader), from_start_(from_start) {}
  ChainWatch(const ChainWatch&) = delete;
  ~ChainWatch();
  // Each row in sequence order. An error: damage found in rows followed so far.
  Status Follow(const StoredEvent& row);
  // The cursor reached the end of the log: waits for the hashing, then checks
  // that the log ends where its header says.
  Status Finish();
  // The reader stops early: waits for the hashing of what was read.
  Status Drain();

 private:
  struct Item {
    uint64_t seq;
    int64_t capture_ns, wall_ns;
    uint32_t kind;
    bool damaged;
    uint32_t source_at, source_len, payload_at, payload_len, hash_at, hash_len;
  };
  struct Batch {
    std::vector<Item> items;
    std::string bytes;  // sources, payloads and stored hashes of the items
  };
  static constexpr size_t kBatchEvents = 8192;
  static constexpr size_t kMaxQueuedBatches = 4;

  Status Begin(uint64_t first_seq);
  void Submit();
  void HashLoop();
  Status HashBatch(const Batch& batch);
  Status HasherError();
  Status Wait();

  EventReader& reader_;
  bool from_start_;
  const std::string path_ = reader_.path();
  uint64_t expected_seq_ = 0;  // 0: nothing read yet
  // Main thread's batch being filled.
  Batch filling_;
  // Shared with the hashing thread.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  std::vector<Batch> spare_;
  bool closing_ = false;
  bool busy_ = false;
  std::optional<Status> hasher_error_;
  std::thread hasher_;
  // The hashing thread's own.
  Sha256Digest chain_{};
  uint64_t block_start_ = 0;
  bool block_damaged_ = false;  // the current block has events the reader located as damaged
};

}  // namespace packtwin::eventlog
