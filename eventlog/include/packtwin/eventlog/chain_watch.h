// Follows the hash chain over what a command reads, so every reader notices
// damage in it, not only `verify`: each stored hash (every row in schema 1,
// each block's end in schema 2) must match the chain recomputed from the
// events read, and a log read to its end must end where its header says.
// Damage is a Status::Corruption naming the events and pointing at verify.
#pragma once

#include <cstdint>
#include <string>

#include "packtwin/eventlog/event_hash.h"
#include "packtwin/eventlog/event_reader.h"

namespace packtwin {

class ChainWatch {
 public:
  // `from_start`: the reading begins at the log's first event (so reaching
  // the end means the whole log was read).
  ChainWatch(EventReader& reader, bool from_start) : reader_(reader), from_start_(from_start) {}
  // Each row in sequence order.
  Status Follow(const StoredEvent& row);
  // The cursor reached the end of the log.
  Status Finish() const;

 private:
  Status Begin(uint64_t first_seq);

  EventReader& reader_;
  bool from_start_;
  Sha256Digest chain_{};
  uint64_t expected_seq_ = 0;  // 0: nothing read yet
  uint64_t block_start_ = 0;
};

}  // namespace packtwin
