// The bridge (bridge-mqtt.md) as a pure reducer: CAN frames, app commands
// (already decoded from MQTT JSON, outside), MQTT connection and time in;
// CAN frames and MQTT publications out, as structured values. The node table
// and the master are the fleet reducer's. Bridge 1.0's five known defects
// can be switched on, so the twin and the simulator can reproduce them.
#pragma once

#include <cstdint>

#include "packtwin/firmware/bridge_types.h"
#include "packtwin/firmware/fleet_reducer.h"

namespace packtwin::firmware {

inline constexpr uint64_t kBridgeHeartbeatPeriodMs = 10'000;
inline constexpr uint64_t kBridgeTimePeriodMs = 60'000;
inline constexpr int64_t kBridgeClockStepMs = 2'000;            // a larger step sends TIME at once
inline constexpr int64_t kBridgeEarliestWallMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
inline constexpr uint64_t kBridgeResultWaitMs = 2'500;
inline constexpr uint64_t kBridgeIdMemoryMs = 60'000;  // a command id seen this recently is not sent again
inline constexpr uint8_t kBridgePendingSlots = 16;
inline constexpr uint8_t kBridgeRememberedIds = 32;

// Bridge 1.0's defects (bridge-mqtt.md, "Known field defects"), as bits.
enum BridgeDefect : uint8_t {
  kBridgeDefectModeValueKey = 1u << 0,      // 1: mode's `on` read from `value`: always off
  kBridgeDefectCommandsToMaster = 1u << 1,  // 2: app commands to the master's id, not broadcast
  kBridgeDefectTelBattByMask = 1u << 2,     // 3: ACK frames read as TEL_BATT and published
  kBridgeDefectAggregateNoTtl = 1u << 3,    // 4: the aggregate keeps packs that left
  kBridgeDefectResendsRedelivered = 1u << 4,  // 5: a redelivered command goes on CAN again
};

struct BridgeConfig {
  uint8_t node = 0x01;
  uint32_t serial_lo = 0;
  uint8_t fw_major = 1;
  uint8_t fw_minor = 0;
  uint8_t defects = 0;  // BridgeDefect bits
};

// The host's clock as the bridge reads it at a step.
struct BridgeClock {
  uint64_t now_ms = 0;       // monotonic
  int64_t wall_ms = 0;       // unix ms
  bool ntp_synced = false;   // TIME flags bit0
  int16_t utc_offset_min = 0;
};

struct BridgePending {
  bool used = false;
  BridgeCommandId id;
  uint8_t cmd = 0;
  uint8_t seq = 0;
  uint64_t due_ms = 0;
  NodeSet expected;  // packs live when it was sent, among its addressees
  uint8_t ack[kNodeSlots] = {};  // AckStatus + 1; 0: none yet
};

struct BridgeRemembered {
  bool used = false;
  BridgeCommandId id;
  uint64_t seen_ms = 0;
  bool has_result = false;
  uint8_t pending_slot = 0;
  BridgeResult result;
};

struct BridgeState {
  BridgeConfig config;
  FleetState fleet;
  bool started = false;
  uint64_t next_heartbeat_ms = 0;
  uint64_t next_time_ms = 0;
  bool has_clock = false;
  uint64_t last_now_ms = 0;
  int64_t last_wall_ms = 0;
  uint8_t next_seq = 0;
  BridgePending pending[kBridgePendingSlots];
  BridgeRemembered remembered[kBridgeRememberedIds];
  uint8_t remembered_next = 0;
  // The current cycle of each pack's telemetry (a TEL_LOADS publishes it).
  TelBattFrame batt[kNodeSlots];
  TelPowerFrame power[kNodeSlots];
  bool has_batt[kNodeSlots] = {};
  bool has_power[kNodeSlots] = {};
  uint8_t last_role[kNodeSlots] = {};
  uint8_t last_fw[kNodeSlots][2] = {};
  uint8_t last_device_type[kNodeSlots] = {};
  uint32_t last_serial[kNodeSlots] = {};
};

void BridgeInit(BridgeState* state, const BridgeConfig& config);
// Timers: start-up frames, HEARTBEAT, TIME (also on a clock step), command
// results that are due, nodes that expire. Call at every step before inputs.
void BridgeTick(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out);
void BridgeOnCanFrame(BridgeState* state, const CanFrame& frame, const BridgeClock& clock, BridgeOutputs* out);
void BridgeOnCommand(BridgeState* state, const BridgeCommand& command, const BridgeClock& clock, BridgeOutputs* out);
// A command payload the decoder refused: its result says why; nothing goes on CAN.
void BridgeOnInvalidCommand(BridgeState* state, const BridgeInvalid& invalid, const BridgeClock& clock, BridgeOutputs* out);
// Connected to the broker: `online`, retained, on alfaspark/bridge/status,
// then the retained info of every live node and the master again.
void BridgeOnMqttConnected(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out);
// The COMMAND frame a correct bridge sends for an app command (seq 0): what
// the twin compares the bus with.
CommandFrame BridgeCommandFrame(const BridgeCommand& command);
// When the next timer falls due (for a simulator's event queue).
uint64_t BridgeNextDeadlineMs(const BridgeState& state);

}  // namespace packtwin::firmware
