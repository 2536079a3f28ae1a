// What goes in and out of the bridge reducer: app commands as structured
// values (the JSON codec is outside firmware/), and MQTT publications as
// structured values, with the CAN frames the bridge sends.
#pragma once

#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

inline constexpr uint8_t kBridgeIdMaxLen = 64;
inline constexpr uint8_t kBridgeTextMaxLen = 96;

// A fixed-size string: a command id, an error, a topic.
template <uint8_t N>
struct FixedText {
  char text[N + 1] = {};
  uint8_t len = 0;
  bool Equals(const FixedText& other) const {
    if (len != other.len) return false;
    for (uint8_t i = 0; i < len; ++i) {
      if (text[i] != other.text[i]) return false;
    }
    return true;
  }
  // Copies at most N bytes of a NUL-terminated string.
  void Set(const char* from) {
    len = 0;
    for (uint8_t i = 0; i < N && from[i] != '\0'; ++i) text[len++] = from[i];
    text[len] = '\0';
  }
};
using BridgeCommandId = FixedText<kBridgeIdMaxLen>;
using BridgeText = FixedText<kBridgeTextMaxLen>;

// A set of node ids, as a bitmap.
struct NodeSet {
  uint32_t bits[kNodeSlots / 32] = {};
  void Add(uint8_t node) { bits[node / 32] |= 1u << (node % 32); }
  bool Has(uint8_t node) const { return (bits[node / 32] >> (node % 32)) & 1u; }
};

enum class BridgeCommandName : uint8_t { kMode, kEcoLimit, kGridBudget, kTouWindow, kRelay, kResetGridEnergy, kRequestStatus };

// A command the decoder accepted: every key known, typed and in range.
struct BridgeCommand {
  BridgeCommandName name = BridgeCommandName::kRequestStatus;
  BridgeCommandId id;
  uint8_t node = 0x7F;  // 0x7F: all packs
  uint8_t mode = 0;     // 1..5 (mode)
  bool on = false;      // (mode)
  uint16_t watts = 0;   // (eco_limit)
  uint8_t kwh = 0;      // (grid_budget)
  uint8_t start_h = 0;  // (tou_window)
  uint8_t end_h = 0;
  uint8_t relay = 0;        // 0..3 (relay)
  uint8_t relay_state = 0;  // 0 open, 1 closed, 0xFF clear (relay)
};

// A command payload the decoder refused.
struct BridgeInvalid {
  bool has_id = false;
  BridgeCommandId id;
  BridgeText error;  // names the key
  BridgeText topic;  // the raw topic (when there is no usable id)
};

enum class BridgeTopic : uint8_t { kTelemetry, kRelay, kAlarm, kInfo, kMaster, kAggregate, kResult, kStatus };
enum class BridgeResultStatus : uint8_t { kOk, kPartial, kFailed, kInvalid };

struct BridgeResult {
  bool has_id = false;
  BridgeCommandId id;
  BridgeResultStatus status = BridgeResultStatus::kFailed;
  uint8_t seq = 0;
  NodeSet expected;
  uint8_t ack[kNodeSlots] = {};  // AckStatus + 1 per node; 0: none
  BridgeText error;              // invalid
  BridgeText topic;              // invalid without an id
};

struct BridgePublication {
  BridgeTopic topic = BridgeTopic::kStatus;
  bool retained = false;
  uint8_t node = 0;        // the node the topic names (telemetry, relay, alarm, info)
  int64_t ts_ms = 0;
  TelBattFrame batt;       // telemetry
  TelPowerFrame power;     // telemetry
  TelLoadsFrame loads;     // telemetry
  RelayEvtFrame relay;     // relay
  AlarmFrame alarm;        // alarm
  HeartbeatFrame info;     // info: the node's last heartbeat
  bool online = false;     // info; status (bridge online)
  uint8_t master = 0;      // master (0: null); aggregate
  FleetFrame aggregate;    // aggregate
  BridgeResult result;     // result
};

inline constexpr uint8_t kBridgeMaxCan = 8;
// Enough for the busiest step: connecting publishes every node's info.
inline constexpr uint8_t kBridgeMaxPublications = kNodeSlots + 8;

struct BridgeOutputs {
  CanFrame can[kBridgeMaxCan];
  uint8_t can_count = 0;
  BridgePublication publications[kBridgeMaxPublications];
  uint8_t publication_count = 0;

  void Send(const CanFrame& frame) {
    if (can_count < kBridgeMaxCan) can[can_count++] = frame;
  }
  // A publication to fill in; the last slot is reused when a step overflows.
  BridgePublication& Publish(BridgeTopic topic, bool retained, int64_t ts_ms) {
    BridgePublication& p = publications[publication_count < kBridgeMaxPublications ? publication_count++ : kBridgeMaxPublications - 1];
    p = BridgePublication{};
    p.topic = topic;
    p.retained = retained;
    p.ts_ms = ts_ms;
    return p;
  }
  void Clear() {
    can_count = 0;
    publication_count = 0;
  }
};

}  // namespace packtwin::firmware
