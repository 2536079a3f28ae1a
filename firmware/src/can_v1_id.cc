#include "packtwin/firmware/can_v1_id.h"

namespace packtwin::firmware {
namespace {

bool IsKnownFunction(uint32_t function) {
  switch (function) {
    case 0x0: case 0x1: case 0x2: case 0x3: case 0x4:
    case 0x5: case 0x6: case 0x7: case 0x8: case 0xE:
      return true;
    default:
      return false;
  }
}

}  // namespace

CanV1Id ClassifyCanV1Id(uint32_t can_id, bool extended, bool remote, bool error) {
  CanV1Id out{false, CanFunction::kCommand, 0};
  if (extended || remote || error || can_id > kStandardIdMax) return out;
  const uint32_t function = can_id >> 7;
  const uint32_t node = can_id & 0x7Fu;
  if (!IsKnownFunction(function)) return out;
  // Only a COMMAND may be addressed to every node; node 0 is never valid.
  const bool broadcast_ok = function == 0x0 && node == kBroadcastNodeId;
  if (node < kFirstNodeId || (node > kLastNodeId && !broadcast_ok)) return out;
  out.valid = true;
  out.function = static_cast<CanFunction>(function);
  out.node = static_cast<uint8_t>(node);
  return out;
}

const char* CanV1FrameName(const CanV1Id& id) {
  if (!id.valid) return nullptr;
  switch (id.function) {
    case CanFunction::kCommand: return "COMMAND";
    case CanFunction::kAlarm: return "ALARM";
    case CanFunction::kTime: return "TIME";
    case CanFunction::kTelBatt: return "TEL_BATT";
    case CanFunction::kTelPower: return "TEL_POWER";
    case CanFunction::kTelLoads: return "TEL_LOADS";
    case CanFunction::kFleet: return "FLEET";
    case CanFunction::kAck: return "ACK";
    case CanFunction::kRelayEvt: return "RELAY_EVT";
    case CanFunction::kHeartbeat: return "HEARTBEAT";
  }
  return nullptr;  // GCOVR_EXCL_LINE: the switch names every function
}

}  // namespace packtwin::firmware
