// What an event-log file holds, as rows. One SQLite file per capture.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "packtwin/eventlog/event_hash.h"

namespace packtwin::eventlog {

// PRAGMA application_id marks a file as ours ("PTWN"); user_version is the schema.
inline constexpr int32_t kApplicationId = 0x5054574E;
// 2: events in blocks of compact records (block_codec.h); 1 (still read): a row per event.
inline constexpr int kSchemaVersion = 2;

// One row of the events table, exactly as stored. The text and bytes are
// views into the reader's own buffers (no copy per event): valid until the
// cursor's next Next() or its end. Copy what must outlive that.
struct StoredEvent {
  uint64_t seq = 0;
  int64_t capture_ns = 0;
  int64_t wall_ns = 0;
  std::string_view source;
  int kind = 0;
  std::optional<int64_t> can_id;
  std::optional<int64_t> node;
  std::string_view payload;  // the body as stored: protobuf (schema 1; schema 2 except CAN), compact CAN (schema 2)
  // The chain hash after this event: on every row in schema 1; in schema 2
  // only on the last event of a block (empty elsewhere).
  std::string_view hash;
  int schema = kSchemaVersion;
  // Schema 2 with record checks: this event's record failed its check (or a
  // record before it in the block no longer decodes). Only seq and hash are
  // then meaningful; readers skip the event and say so.
  bool damaged = false;
};

struct SourceInfo {
  int64_t id = 0;
  std::string name;
  std::string config;  // JSON
};

// Keys of the meta table.
namespace meta_key {
inline constexpr const char* kSchemaVersion = "schema_version";
inline constexpr const char* kSite = "site";
inline constexpr const char* kToolVersion = "tool_version";
inline constexpr const char* kStartedNs = "started_wall_ns";
inline constexpr const char* kStoppedNs = "stopped_wall_ns";
inline constexpr const char* kChainHead = "chain_head";
inline constexpr const char* kEventCount = "event_count";
inline constexpr const char* kCandumpDigits = "candump_timestamp_digits";
inline constexpr const char* kCandumpWidth = "candump_interface_width";
inline constexpr const char* kCandumpSecondsWidth = "candump_seconds_width";
}  // namespace meta_key

using StoreMeta = std::map<std::string, std::string>;

}  // namespace packtwin::eventlog
