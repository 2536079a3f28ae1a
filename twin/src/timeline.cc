#include "packtwin/twin/timeline.h"

namespace packtwin::twin {

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kRelay: return "relay";
    case ChangeKind::kFunction: return "function";
    case ChangeKind::kLimit: return "limit";
    case ChangeKind::kLockout: return "lockout";
    case ChangeKind::kMaster: return "master";
    case ChangeKind::kNodeJoined: return "join";
    case ChangeKind::kNodeLeft: return "leave";
    case ChangeKind::kAlarm: return "alarm";
    case ChangeKind::kCommand: return "command";
    case ChangeKind::kAck: return "ack";
    case ChangeKind::kTime: return "time";
    case ChangeKind::kDuplicateId: return "duplicate-id";
    case ChangeKind::kTwoMasters: return "two-masters";
  }
  return "unknown";
}

}  // namespace packtwin::twin
