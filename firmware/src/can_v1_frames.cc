#include "packtwin/firmware/can_v1_frames.h"

#include "packtwin/firmware/can_v1_signals.h"
#include "packtwin/firmware/le_bytes.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {
namespace {

CanFrame Frame(CanFunction function, uint8_t node, uint8_t len) {
  CanFrame f;
  f.id = CanV1IdOf(function, node);
  f.len = len;
  return f;
}

// Exact id match for `function`, then the length the signal table gives.
DecodeStatus Check(const CanFrame& in, CanFunction function, uint8_t* node) {
  const CanV1Id id = ClassifyCanV1Id(in.id, in.extended, in.remote, in.error);
  if (!id.valid || id.function != function) return DecodeStatus::kWrongFunction;
  const FrameSpec* spec = CanV1FrameSpec(function);
  if (spec == nullptr || in.len < spec->min_len || in.len > spec->max_len) return DecodeStatus::kBadLength;
  *node = id.node;
  return DecodeStatus::kOk;
}

}  // namespace

CanFrame EncodeCommand(const CommandFrame& f) {
  const uint8_t args_len = f.args_len > 6 ? 6 : f.args_len;
  CanFrame out = Frame(CanFunction::kCommand, f.node, static_cast<uint8_t>(2 + args_len));
  out.data[0] = f.cmd;
  out.data[1] = f.seq;
  for (uint8_t i = 0; i < args_len; ++i) out.data[2 + i] = f.args[i];
  return out;
}

CanFrame EncodeAlarm(const AlarmFrame& f) {
  CanFrame out = Frame(CanFunction::kAlarm, f.node, 8);
  out.data[0] = f.code;
  out.data[1] = f.active;
  PutU16(&out.data[2], f.bms_alarm_bits);
  PutI16(&out.data[4], f.temp_dC);
  return out;  // bytes 6..7 reserved, zero
}

CanFrame EncodeTime(const TimeFrame& f) {
  CanFrame out = Frame(CanFunction::kTime, f.node, 7);
  PutU32(&out.data[0], f.unix_s);
  PutI16(&out.data[4], f.utc_offset_min);
  out.data[6] = f.flags;
  return out;
}

CanFrame EncodeTelBatt(const TelBattFrame& f) {
  CanFrame out = Frame(CanFunction::kTelBatt, f.node, 8);
  PutU16(&out.data[0], f.pack_cV);
  PutI16(&out.data[2], f.current_cA);
  out.data[4] = f.soc;
  out.data[5] = f.relays;
  out.data[6] = f.modes;
  out.data[7] = f.status;
  return out;
}

CanFrame EncodeTelPower(const TelPowerFrame& f) {
  CanFrame out = Frame(CanFunction::kTelPower, f.node, 8);
  PutI16(&out.data[0], f.p_grid_W);
  PutI16(&out.data[2], f.p_home_W);
  PutI16(&out.data[4], f.p_batt_W);
  PutI16(&out.data[6], f.p_solar_W);
  return out;
}

CanFrame EncodeTelLoads(const TelLoadsFrame& f) {
  CanFrame out = Frame(CanFunction::kTelLoads, f.node, 8);
  PutI16(&out.data[0], f.p_pool_W);
  PutI16(&out.data[2], f.p_heater_W);
  PutU16(&out.data[4], f.grid_today_Wh10);
  out.data[6] = f.grid_budget_kWh;
  out.data[7] = f.eco_limit_100W;
  return out;
}

CanFrame EncodeFleet(const FleetFrame& f) {
  CanFrame out = Frame(CanFunction::kFleet, f.node, 8);
  out.data[0] = f.packs_online;
  out.data[1] = f.avg_soc;
  PutI16(&out.data[2], f.p_batt_total_10W);
  PutI16(&out.data[4], f.p_solar_total_10W);
  PutU16(&out.data[6], f.grid_today_total_100Wh);
  return out;
}

CanFrame EncodeAck(const AckFrame& f) {
  CanFrame out = Frame(CanFunction::kAck, f.node, 3);
  out.data[0] = f.cmd;
  out.data[1] = f.seq;
  out.data[2] = f.status;
  return out;
}

CanFrame EncodeRelayEvt(const RelayEvtFrame& f) {
  CanFrame out = Frame(CanFunction::kRelayEvt, f.node, 4);
  out.data[0] = f.relay;
  out.data[1] = f.closed;
  out.data[2] = f.cause;
  out.data[3] = f.relays_after;
  return out;
}

CanFrame EncodeHeartbeat(const HeartbeatFrame& f) {
  CanFrame out = Frame(CanFunction::kHeartbeat, f.node, 8);
  out.data[0] = f.device_type;
  out.data[1] = f.fw_major;
  out.data[2] = f.fw_minor;
  out.data[3] = f.role;
  PutU32(&out.data[4], f.serial_lo);
  return out;
}

DecodeStatus DecodeCommand(const CanFrame& in, CommandFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kCommand, &node);
  if (status != DecodeStatus::kOk) return status;
  out->node = node;
  out->cmd = in.data[0];
  out->seq = in.data[1];
  out->args_len = static_cast<uint8_t>(in.len - 2);
  for (uint8_t i = 0; i < out->args_len; ++i) out->args[i] = in.data[2 + i];
  return DecodeStatus::kOk;
}

DecodeStatus DecodeAlarm(const CanFrame& in, AlarmFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kAlarm, &node);
  if (status != DecodeStatus::kOk) return status;
  if (in.data[0] < 1 || in.data[0] > 6 || in.data[1] > 1) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->code = in.data[0];
  out->active = in.data[1];
  out->bms_alarm_bits = GetU16(&in.data[2]);
  out->temp_dC = GetI16(&in.data[4]);
  return DecodeStatus::kOk;
}

DecodeStatus DecodeTime(const CanFrame& in, TimeFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kTime, &node);
  if (status != DecodeStatus::kOk) return status;
  out->node = node;
  out->unix_s = GetU32(&in.data[0]);
  out->utc_offset_min = GetI16(&in.data[4]);
  out->flags = in.data[6];
  return DecodeStatus::kOk;  // validity of the time itself is behaviour (TIME_INVALID)
}

DecodeStatus DecodeTelBatt(const CanFrame& in, TelBattFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kTelBatt, &node);
  if (status != DecodeStatus::kOk) return status;
  if (in.data[4] > 100 || in.data[5] > 0x0F || in.data[6] > 0x1F || in.data[7] > 0x3F) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->pack_cV = GetU16(&in.data[0]);
  out->current_cA = GetI16(&in.data[2]);
  out->soc = in.data[4];
  out->relays = in.data[5];
  out->modes = in.data[6];
  out->status = in.data[7];
  return DecodeStatus::kOk;
}

DecodeStatus DecodeTelPower(const CanFrame& in, TelPowerFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kTelPower, &node);
  if (status != DecodeStatus::kOk) return status;
  out->node = node;
  out->p_grid_W = GetI16(&in.data[0]);
  out->p_home_W = GetI16(&in.data[2]);
  out->p_batt_W = GetI16(&in.data[4]);
  out->p_solar_W = GetI16(&in.data[6]);
  return DecodeStatus::kOk;
}

DecodeStatus DecodeTelLoads(const CanFrame& in, TelLoadsFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kTelLoads, &node);
  if (status != DecodeStatus::kOk) return status;
  out->node = node;
  out->p_pool_W = GetI16(&in.data[0]);
  out->p_heater_W = GetI16(&in.data[2]);
  out->grid_today_Wh10 = GetU16(&in.data[4]);
  out->grid_budget_kWh = in.data[6];
  out->eco_limit_100W = in.data[7];
  return DecodeStatus::kOk;
}

DecodeStatus DecodeFleet(const CanFrame& in, FleetFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kFleet, &node);
  if (status != DecodeStatus::kOk) return status;
  if (in.data[0] > 126 || in.data[1] > 100) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->packs_online = in.data[0];
  out->avg_soc = in.data[1];
  out->p_batt_total_10W = GetI16(&in.data[2]);
  out->p_solar_total_10W = GetI16(&in.data[4]);
  out->grid_today_total_100Wh = GetU16(&in.data[6]);
  return DecodeStatus::kOk;
}

DecodeStatus DecodeAck(const CanFrame& in, AckFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kAck, &node);
  if (status != DecodeStatus::kOk) return status;
  if (in.data[2] > static_cast<uint8_t>(AckStatus::kRejected)) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->cmd = in.data[0];
  out->seq = in.data[1];
  out->status = in.data[2];
  return DecodeStatus::kOk;
}

DecodeStatus DecodeRelayEvt(const CanFrame& in, RelayEvtFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kRelayEvt, &node);
  if (status != DecodeStatus::kOk) return status;
  const uint8_t relay = in.data[0];
  const uint8_t closed = in.data[1];
  const uint8_t after = in.data[3];
  if (relay > 3 || closed > 1 || in.data[2] > 7 || after > 0x0F) return DecodeStatus::kOutOfRange;
  // relays_after must agree with the change it announces.
  if (((after >> relay) & 1u) != closed) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->relay = relay;
  out->closed = closed;
  out->cause = in.data[2];
  out->relays_after = after;
  return DecodeStatus::kOk;
}

DecodeStatus DecodeHeartbeat(const CanFrame& in, HeartbeatFrame* out) {
  uint8_t node = 0;
  const DecodeStatus status = Check(in, CanFunction::kHeartbeat, &node);
  if (status != DecodeStatus::kOk) return status;
  if (in.data[0] < 1 || in.data[0] > 4 || in.data[3] > 2) return DecodeStatus::kOutOfRange;
  out->node = node;
  out->device_type = in.data[0];
  out->fw_major = in.data[1];
  out->fw_minor = in.data[2];
  out->role = in.data[3];
  out->serial_lo = GetU32(&in.data[4]);
  return DecodeStatus::kOk;
}

}  // namespace packtwin::firmware
