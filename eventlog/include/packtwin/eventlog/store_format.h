// What an event-log file holds, as rows. One SQLite file per capture.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "packtwin/eventlog/event_hash.h"

namespace packtwin {

// PRAGMA application_id marks a file as ours ("PTWN"); user_version is the schema.
inline constexpr int32_t kApplicationId = 0x5054574E;
inline constexpr int kSchemaVersion = 1;

// One row of the events table, exactly as stored.
struct StoredEvent {
  uint64_t seq = 0;
  int64_t capture_ns = 0;
  int64_t wall_ns = 0;
  std::string source;
  int kind = 0;
  std::optional<int64_t> can_id;
  std::optional<int64_t> node;
  std::string payload;
  std::string hash;  // 32 bytes; anything else is damage that verify reports
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
}  // namespace meta_key

using StoreMeta = std::map<std::string, std::string>;

}  // namespace packtwin
