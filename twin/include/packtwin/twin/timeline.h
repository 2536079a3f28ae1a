// Every state change the fold sees, one readable line each.
#pragma once

#include <cstdint>
#include <string>

namespace packtwin::twin {

enum class ChangeKind {
  kRelay,
  kFunction,
  kLimit,
  kLockout,
  kMaster,
  kNodeJoined,
  kNodeLeft,
  kAlarm,
  kCommand,
  kAck,
  kTime,
  kDuplicateId,
  kTwoMasters,
};

struct Change {
  uint64_t seq = 0;
  int64_t wall_ns = 0;
  uint8_t node = 0;  // 0 for the whole site
  ChangeKind kind = ChangeKind::kRelay;
  std::string text;  // "relay water heater opened (eco)"
  uint8_t other = 0;  // two masters: the other claimant; duplicate id: 0
  uint32_t serial = 0, other_serial = 0;  // duplicate id: the two serials
};

const char* ChangeKindName(ChangeKind kind);

}  // namespace packtwin::twin
