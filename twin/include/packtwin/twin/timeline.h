// Every state change the fold sees, as data: what changed, on which node,
// with the values before and after. Only the printers below turn a change
// into words, so no consumer depends on another's wording.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "packtwin/firmware/can_v1_frames.h"

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
  kMqtt,  // a message on the site's MQTT broker (the app's command, the bridge's publication)
};

enum class LimitKind : uint8_t { kGridBudget, kEcoLimit };

struct Change {
  uint64_t seq = 0;
  int64_t wall_ns = 0;
  uint8_t node = 0;  // 0 for the whole site; kMaster: the new master, 0 = none
  ChangeKind kind = ChangeKind::kRelay;
  // What changed; which fields hold depends on the kind.
  uint8_t relay = 0;      // kRelay: relay index 0..3
  bool closed = false;    // kRelay
  uint8_t cause = 0;      // kRelay: firmware::RelayCause
  uint8_t mode_bit = 0;   // kFunction: bit index of the function
  bool on = false;        // kFunction: switched on; kLockout: began; kAlarm: raised
  uint8_t alarm = 0;      // kAlarm: firmware::AlarmCode
  LimitKind limit = LimitKind::kGridBudget;  // kLimit
  int32_t before = 0;     // kLimit: grid budget in kWh, eco limit in W
  int32_t after = 0;
  uint8_t other = 0;      // kTwoMasters: the other claimant
  uint32_t serial = 0;    // kDuplicateId, kNodeJoined
  uint32_t other_serial = 0;  // kDuplicateId
  uint8_t device_type = 0, fw_major = 0, fw_minor = 0, role = 0;  // kNodeJoined
  firmware::CommandFrame command{};  // kCommand
  firmware::AckFrame ack{};          // kAck
  firmware::TimeFrame time{};        // kTime
  // kMqtt: the message, copied (a change may outlive the stored event)
  std::string mqtt_topic;
  std::string mqtt_payload;
  bool mqtt_out = false;
  bool mqtt_retained = false;
  // kCommand, kAck: the app command (its MQTT id) this frame carries or
  // answers, when the log holds it: the chain app -> COMMAND -> ACKs -> result.
  std::string app_id;
};

const char* ChangeKindName(ChangeKind kind);

// "relay water heater opened (eco)": the one wording of a change.
std::string ChangeText(const Change& change);

// The change as structured JSON fields beside its text (timeline --json):
// kind, node ("0x2A", null for the site) and the kind's own values.
nlohmann::ordered_json ChangeAsJson(const Change& change);

}  // namespace packtwin::twin
