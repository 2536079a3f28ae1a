// Reads an event-log file forward, by sequence number or from a wall time.
// Opening checks the file is a packtwin capture of a schema this build reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

class EventCursor {
 public:
  virtual ~EventCursor() = default;
  // Fills `row` and returns true, or returns false at the end.
  virtual Result<bool> Next(StoredEvent* row) = 0;
};

struct EventCounts {
  uint64_t events = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  int64_t first_wall_ns = 0;
  int64_t last_wall_ns = 0;
};

struct KindSourceCount {
  int kind = 0;
  std::string source;
  uint64_t events = 0;
};

class EventReader {
 public:
  static Result<std::unique_ptr<EventReader>> Open(const std::string& path);
  virtual ~EventReader() = default;

  virtual const std::string& path() const = 0;
  virtual Result<StoreMeta> Meta() = 0;
  virtual Result<std::vector<SourceInfo>> Sources() = 0;
  virtual Result<EventCounts> Counts() = 0;
  virtual Result<std::vector<KindSourceCount>> CountByKindAndSource() = 0;
  // Events with seq >= first_seq, in sequence order.
  virtual Result<std::unique_ptr<EventCursor>> FromSeq(uint64_t first_seq) = 0;
  // The stored chain hash of event `seq` (empty when there is no such event):
  // equal hashes mean equal logs up to and including that event.
  virtual Result<std::string> HashAt(uint64_t seq) = 0;
  // The last event with wall time <= wall_ns (0 when none).
  virtual Result<uint64_t> LastSeqAtOrBefore(int64_t wall_ns) = 0;
  // Events in sequence order starting at the first one with wall time >= wall_ns.
  virtual Result<std::unique_ptr<EventCursor>> FromWallTime(int64_t wall_ns) = 0;

  // Events whose damage the reader located (rows flagged `damaged`) stop
  // ForEachEvent with an error naming them, unless the caller chose to skip
  // them (a command that then warns with skipped_damaged(): first seq -> last
  // seq of each run skipped).
  void SkipLocatedDamage(bool skip) { skip_located_damage_ = skip; }
  bool skips_located_damage() const { return skip_located_damage_; }
  const std::map<uint64_t, uint64_t>& skipped_damaged() const { return skipped_damaged_; }
  void NoteSkippedDamaged(uint64_t seq);

 private:
  bool skip_located_damage_ = false;
  std::map<uint64_t, uint64_t> skipped_damaged_;
};

// Adds `seq` to runs of seqs (first -> last), merging neighbours; seqs read again change nothing.
void AddSeqToRuns(std::map<uint64_t, uint64_t>* runs, uint64_t seq);
// The error for an event whose damage the reader located, when the caller does not skip it.
Status LocatedDamage(const std::string& path, uint64_t seq);

// "seq 17", "seq 17 to 40, seq 52" ... (at most `shown` runs, then how many more).
std::string DescribeSeqRuns(const std::map<uint64_t, uint64_t>& runs, size_t shown = 8);
// How many events the runs hold.
uint64_t CountSeqRuns(const std::map<uint64_t, uint64_t>& runs);

// Calls fn(row, event) for every event from `first_seq` on, in sequence order,
// until fn returns false or an error; the event is the row decoded.
using EventFn = std::function<Result<bool>(const StoredEvent& row, const v1::Event& event)>;
Status ForEachEvent(EventReader& reader, uint64_t first_seq, const EventFn& fn);

// The stored row as a full event (header fields put back from the columns).
// A payload that does not parse is damage: an error naming the sequence number.
Result<v1::Event> DecodeEvent(const StoredEvent& row);
// The same into an existing event, reusing its buffers (every field is set).
Status DecodeEventInto(const StoredEvent& row, v1::Event* event);

}  // namespace packtwin::eventlog
