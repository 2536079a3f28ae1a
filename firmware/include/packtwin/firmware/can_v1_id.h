// Alfaspark CAN protocol v1 identifiers: id = (function << 7) | node.
// Matching is exact (function and node range), never a partial mask: the 2.5
// firmware's `(id & 0x200) == 0x200` filter is a known field defect.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

enum class CanFunction : uint8_t {
  kCommand = 0x0,
  kAlarm = 0x1,
  kTime = 0x2,
  kTelBatt = 0x3,
  kTelPower = 0x4,
  kTelLoads = 0x5,
  kFleet = 0x6,
  kAck = 0x7,
  kRelayEvt = 0x8,
  kHeartbeat = 0xE,
};

inline constexpr uint8_t kFirstNodeId = 0x01;
inline constexpr uint8_t kLastNodeId = 0x7E;
inline constexpr uint8_t kBroadcastNodeId = 0x7F;
inline constexpr uint32_t kStandardIdMax = 0x7FF;

struct CanV1Id {
  bool valid;  // false: not a frame of protocol v1
  CanFunction function;
  uint8_t node;  // sender or addressee; 0x7F only for a broadcast COMMAND
};

// Classifies an 11-bit data-frame identifier. Extended, remote and error
// frames are never protocol v1 frames; the caller says which it has.
CanV1Id ClassifyCanV1Id(uint32_t can_id, bool extended, bool remote, bool error);

// "TEL_BATT", "COMMAND", ...; nullptr when the id is not a protocol v1 frame.
const char* CanV1FrameName(const CanV1Id& id);

}  // namespace packtwin::firmware
