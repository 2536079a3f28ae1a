// Encode and decode every frame of protocol v1 (can-protocol.md). Fields are
// little-endian. Decoding validates the id exactly, the length against the
// table, and the ranges the table gives; the caller counts BAD_LENGTH.
#pragma once

#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/can_v1_id.h"

namespace packtwin::firmware {

enum class DecodeStatus : uint8_t {
  kOk,
  kWrongFunction,  // not this frame's id (or not protocol v1 at all)
  kBadLength,      // length differs from the table: ignored and counted
  kOutOfRange,     // a field outside the values the table allows
};

struct CommandFrame {
  uint8_t node = 0;  // addressee, 0x7F = all
  uint8_t cmd = 0;
  uint8_t seq = 0;
  uint8_t args_len = 0;  // 0..6
  uint8_t args[6] = {};
};

struct AlarmFrame {
  uint8_t node = 0;
  uint8_t code = 0;
  uint8_t active = 0;
  uint16_t bms_alarm_bits = 0;
  int16_t temp_dC = 0;
};

struct TimeFrame {
  uint8_t node = 0;  // sender
  uint32_t unix_s = 0;
  int16_t utc_offset_min = 0;
  uint8_t flags = 0;  // bit0: from NTP
};

struct TelBattFrame {
  uint8_t node = 0;
  uint16_t pack_cV = 0;
  int16_t current_cA = 0;
  uint8_t soc = 0;
  uint8_t relays = 0;
  uint8_t modes = 0;
  uint8_t status = 0;
};

struct TelPowerFrame {
  uint8_t node = 0;
  int16_t p_grid_W = 0;
  int16_t p_home_W = 0;
  int16_t p_batt_W = 0;
  int16_t p_solar_W = 0;
};

struct TelLoadsFrame {
  uint8_t node = 0;
  int16_t p_pool_W = 0;
  int16_t p_heater_W = 0;
  uint16_t grid_today_Wh10 = 0;
  uint8_t grid_budget_kWh = 0;
  uint8_t eco_limit_100W = 0;
};

struct FleetFrame {
  uint8_t node = 0;
  uint8_t packs_online = 0;
  uint8_t avg_soc = 0;
  int16_t p_batt_total_10W = 0;
  int16_t p_solar_total_10W = 0;
  uint16_t grid_today_total_100Wh = 0;
};

struct AckFrame {
  uint8_t node = 0;
  uint8_t cmd = 0;
  uint8_t seq = 0;
  uint8_t status = 0;
};

struct RelayEvtFrame {
  uint8_t node = 0;
  uint8_t relay = 0;
  uint8_t closed = 0;
  uint8_t cause = 0;
  uint8_t relays_after = 0;
};

struct HeartbeatFrame {
  uint8_t node = 0;
  uint8_t device_type = 0;
  uint8_t fw_major = 0;
  uint8_t fw_minor = 0;
  uint8_t role = 0;
  uint32_t serial_lo = 0;
};

CanFrame EncodeCommand(const CommandFrame& f);
CanFrame EncodeAlarm(const AlarmFrame& f);
CanFrame EncodeTime(const TimeFrame& f);
CanFrame EncodeTelBatt(const TelBattFrame& f);
CanFrame EncodeTelPower(const TelPowerFrame& f);
CanFrame EncodeTelLoads(const TelLoadsFrame& f);
CanFrame EncodeFleet(const FleetFrame& f);
CanFrame EncodeAck(const AckFrame& f);
CanFrame EncodeRelayEvt(const RelayEvtFrame& f);
CanFrame EncodeHeartbeat(const HeartbeatFrame& f);

DecodeStatus DecodeCommand(const CanFrame& in, CommandFrame* out);
DecodeStatus DecodeAlarm(const CanFrame& in, AlarmFrame* out);
DecodeStatus DecodeTime(const CanFrame& in, TimeFrame* out);
DecodeStatus DecodeTelBatt(const CanFrame& in, TelBattFrame* out);
DecodeStatus DecodeTelPower(const CanFrame& in, TelPowerFrame* out);
DecodeStatus DecodeTelLoads(const CanFrame& in, TelLoadsFrame* out);
DecodeStatus DecodeFleet(const CanFrame& in, FleetFrame* out);
DecodeStatus DecodeAck(const CanFrame& in, AckFrame* out);
DecodeStatus DecodeRelayEvt(const CanFrame& in, RelayEvtFrame* out);
DecodeStatus DecodeHeartbeat(const CanFrame& in, HeartbeatFrame* out);

// The id of a frame of `function` sent by (or to) `node`.
constexpr uint32_t CanV1IdOf(CanFunction function, uint8_t node) {
  return (static_cast<uint32_t>(function) << 7) | node;
}

}  // namespace packtwin::firmware
