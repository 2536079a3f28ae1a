// Schema 2 stores events in blocks: one SQLite row per commit holding the
// events as compact records, so a CAN frame costs about 19 bytes on disk
// instead of a row with four indexes and a 32-byte hash.
//
// record := kind u8 | zigzag varint (wall_ns - previous record's wall_ns)
//         | zigzag varint (capture_ns - wall_ns) | varint source id
//         | varint body length | body
// A CAN frame's body is compact: varint id, u8 flags (extended, rtr, error,
// fd, direction x2, channel differs from source, dlc differs from length),
// [varint fd_flags], [u8 dlc], [varint length + channel], data. Any other
// kind's body is its protobuf payload (the event with header fields cleared).
// The chain hashes each record's body as stored (event_hash.h).
#pragma once

#include <cstdint>
#include <climits>
#include <string>
#include <string_view>

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog::block {

// The stored body of `event`, whose header fields (seq, times, source) the
// caller has cleared: they go in the record.
void EncodeBody(const v1::Event& event, std::string_view source, std::string* body);

// Appends one record whose body is `body`.
void AppendRecord(int kind, int64_t wall_ns, int64_t capture_ns, int64_t source_id, int64_t previous_wall_ns,
                  std::string_view body, std::string* out);

struct Record {
  int kind = 0;
  int64_t wall_ns = 0;
  int64_t capture_ns = 0;
  int64_t source_id = 0;
  std::string_view body;
  std::string_view bytes;  // the whole record as stored (for its check, record_checks.h)
};

// Reads the record at *pos (advancing it). False when the bytes do not form
// a record, or its times fall outside what a log holds (InLogTimeRange): the
// block is damaged.
bool ReadRecord(std::string_view block, size_t* pos, int64_t previous_wall_ns, Record* out);

// What a block's records add up to: the header columns must say the same.
struct Summary {
  uint64_t records = 0;
  int64_t min_wall_ns = INT64_MAX;
  int64_t max_wall_ns = INT64_MIN;
  int64_t kinds = 0;

  void Add(const Record& r) {
    ++records;
    min_wall_ns = r.wall_ns < min_wall_ns ? r.wall_ns : min_wall_ns;
    max_wall_ns = r.wall_ns > max_wall_ns ? r.wall_ns : max_wall_ns;
    if (r.kind < 63) kinds |= int64_t{1} << r.kind;
  }
  bool Matches(uint64_t count, int64_t min_wall, int64_t max_wall, int64_t kind_bits) const {
    return records == count && min_wall_ns == min_wall && max_wall_ns == max_wall && kinds == kind_bits;
  }
};

// Calls fn(record) for every record of a block in order, while fn returns
// true; false when the bytes do not form records (or fn said stop).
template <typename Fn>
bool ForEachRecord(std::string_view block, Fn&& fn) {
  size_t pos = 0;
  int64_t previous_wall_ns = 0;
  Record r;
  // Bounded by the block: each record consumes bytes.
  while (pos < block.size()) {
    if (!ReadRecord(block, &pos, previous_wall_ns, &r) || !fn(r)) return false;
    previous_wall_ns = r.wall_ns;
  }
  return true;
}

// The body back into `event`'s kind (header fields untouched). False on damage.
bool DecodeBody(int kind, std::string_view body, std::string_view source, v1::Event* event);

}  // namespace packtwin::eventlog::block
