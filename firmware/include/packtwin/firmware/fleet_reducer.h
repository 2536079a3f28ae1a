// The bridge's view of the fleet: the node table from heartbeats (120 s TTL),
// device types, firmware versions, serials and claimed roles; the master by
// the rules; two masters, duplicate node ids, nodes joining and leaving; and
// the aggregate computed from telemetry, independently of any FLEET frame.
#pragma once

#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

enum class FleetFindingKind : uint8_t {
  kNodeJoined,
  kNodeLeft,         // heartbeat older than the TTL
  kMasterChanged,    // master by the rules changed (node = the master now, 0 = none)
  kTwoMasters,       // node and other both claim master while live
  kDuplicateNodeId,  // node heard with two serials (serial and other_serial)
};

struct FleetFinding {
  FleetFindingKind kind = FleetFindingKind::kNodeJoined;
  uint8_t node = 0;
  uint8_t other = 0;
  uint32_t serial = 0;
  uint32_t other_serial = 0;
  uint64_t at_ms = 0;
};

inline constexpr uint8_t kMaxFindings = 8;

struct FleetFindings {
  FleetFinding items[kMaxFindings];
  uint8_t count = 0;
  void Add(const FleetFinding& finding) {
    if (count < kMaxFindings) items[count++] = finding;
  }
};

struct FleetState {
  NodeTable nodes;
  bool announced_live[kNodeSlots] = {};
  bool sent_fleet[kNodeSlots] = {};
  uint64_t last_fleet_frame_ms[kNodeSlots] = {};
  uint8_t master = 0;
  bool has_fleet_frame = false;
  FleetFrame last_fleet_frame;  // as the claimed master sent it
  uint32_t bad_length_frames = 0;
  uint32_t out_of_range_frames = 0;
};

void FleetOnCanFrame(FleetState* state, const CanFrame& frame, uint64_t now_ms, FleetFindings* findings);
// Runs the earliest node expiry at or before now_ms; false when none is due.
bool FleetRunDue(FleetState* state, uint64_t now_ms, FleetFindings* findings);
// When the earliest node expiry falls due (UINT64_MAX: no live node).
uint64_t FleetNextDeadlineMs(const FleetState& state);
// The aggregate of live packs from their own telemetry.
FleetFrame FleetAggregate(const FleetState& state, uint64_t now_ms);

}  // namespace packtwin::firmware
