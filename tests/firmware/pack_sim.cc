#include "pack_sim.h"

#include <algorithm>

namespace packtwin::firmware::testing {

std::vector<uint8_t> BmsReply(uint16_t voltage_dV, int16_t current_cA, uint16_t alarms, int16_t temp_dC) {
  std::vector<uint8_t> out(kBmsReplyLen);
  EncodeBmsReply({voltage_dV, current_cA, alarms, temp_dC}, out.data());
  return out;
}

PackSim::PackSim(uint64_t serial, PackSettings stored, uint64_t boot_ms) : now_(boot_ms) {
  scratch_.Clear();
  PackBoot(&state_, serial, stored, boot_ms, &scratch_);
  Keep(scratch_, boot_ms);
  next_ct_at_ = boot_ms;
}

void PackSim::Keep(const Effects& effects, uint64_t at) {
  for (uint8_t i = 0; i < effects.count; ++i) {
    effects_.push_back(effects.items[i]);
    if (effects.items[i].kind == EffectKind::kModbusSend) bms_reply_at_ = at + 20;
  }
}

void PackSim::AnswerBms(uint64_t at) {
  bms_reply_at_ = UINT64_MAX;
  if (bms_mode_ == BmsMode::kSilent) return;
  std::vector<uint8_t> reply = BmsReply(voltage_dV_, current_cA_, alarms_);
  switch (bms_mode_) {
    case BmsMode::kCrcError: reply[12] ^= 0xFF; break;
    case BmsMode::kCrcHighByteFirst: std::swap(reply[11], reply[12]); break;
    case BmsMode::kException: {
      reply.assign(kExceptionReplyLen, 0);
      EncodeExceptionReply(kReadHoldingRegisters, 0x02, reply.data());
      break;
    }
    case BmsMode::kWrongAddress: reply[0] = 0x02; break;
    case BmsMode::kWrongFunction: reply[1] = 0x04; break;
    case BmsMode::kWrongByteCount: reply[2] = 6; break;
    case BmsMode::kShort: reply.pop_back(); break;
    case BmsMode::kExtraByte: reply.push_back(0); break;
    default: break;
  }
  scratch_.Clear();
  PackOnBmsBytes(&state_, reply.data(), reply.size(), at, &scratch_);
  Keep(scratch_, at);
}

void PackSim::AdvanceTo(uint64_t t) {
  // Each pass handles the earliest of: a due duty, a BMS reply, a CT sample.
  for (int guard = 0; guard < 10'000'000; ++guard) {
    const uint64_t duty_at = PackNextDeadlineMs(state_);
    const uint64_t ct_at = ct_on_ ? next_ct_at_ : UINT64_MAX;
    const uint64_t next = std::min({duty_at, bms_reply_at_, ct_at});
    if (next > t) break;
    now_ = std::max(now_, next);
    if (next == duty_at) {
      scratch_.Clear();
      PackRunDue(&state_, next, &scratch_);
      Keep(scratch_, next);
    } else if (next == bms_reply_at_) {
      AnswerBms(next);
    } else {
      scratch_.Clear();
      PackOnCtSample(&state_, ct_, next, &scratch_);
      Keep(scratch_, next);
      next_ct_at_ = next + 500;
    }
  }
  now_ = t;
}

void PackSim::Frame(const CanFrame& frame) {
  scratch_.Clear();
  PackOnCanFrame(&state_, frame, now_, &scratch_);
  Keep(scratch_, now_);
}

void PackSim::Command(uint8_t node, uint8_t cmd, uint8_t seq, std::vector<uint8_t> args) {
  CommandFrame c;
  c.node = node;
  c.cmd = cmd;
  c.seq = seq;
  c.args_len = static_cast<uint8_t>(args.size());
  std::copy(args.begin(), args.end(), c.args);
  Frame(EncodeCommand(c));
}

void PackSim::Time(uint32_t unix_s, int16_t offset_min) {
  TimeFrame time;
  time.node = 0x01;
  time.unix_s = unix_s;
  time.utc_offset_min = offset_min;
  time.flags = 1;
  Frame(EncodeTime(time));
}

void PackSim::Heartbeat(uint8_t node, uint32_t serial_lo, DeviceType type, Role role) {
  HeartbeatFrame hb;
  hb.node = node;
  hb.device_type = static_cast<uint8_t>(type);
  hb.fw_major = 2;
  hb.fw_minor = 6;
  hb.role = static_cast<uint8_t>(role);
  hb.serial_lo = serial_lo;
  Frame(EncodeHeartbeat(hb));
}

void PackSim::Ct(uint32_t grid_mA, uint32_t home_mA, uint32_t pool_mA, uint32_t heater_mA) {
  scratch_.Clear();
  PackOnCtSample(&state_, {grid_mA, home_mA, pool_mA, heater_mA}, now_, &scratch_);
  Keep(scratch_, now_);
}

void PackSim::SetBms(uint16_t voltage_dV, int16_t current_cA, uint16_t alarms) {
  voltage_dV_ = voltage_dV;
  current_cA_ = current_cA;
  alarms_ = alarms;
  bms_mode_ = BmsMode::kGood;
}

void PackSim::SetCt(uint32_t grid_mA, uint32_t home_mA, uint32_t pool_mA, uint32_t heater_mA) {
  ct_on_ = true;
  ct_ = {grid_mA, home_mA, pool_mA, heater_mA};
  next_ct_at_ = std::max(next_ct_at_, now_);
}

std::vector<CanFrame> PackSim::Sent(CanFunction function) const {
  std::vector<CanFrame> frames;
  for (const auto& e : effects_) {
    const auto id = ClassifyCanV1Id(e.frame.id, false, false, false);
    if (e.kind == EffectKind::kCanSend && id.valid && id.function == function) frames.push_back(e.frame);
  }
  return frames;
}

std::vector<RelayEvtFrame> PackSim::RelayEvents() const {
  std::vector<RelayEvtFrame> out;
  for (const auto& frame : Sent(CanFunction::kRelayEvt)) {
    RelayEvtFrame f;
    if (DecodeRelayEvt(frame, &f) == DecodeStatus::kOk) out.push_back(f);
  }
  return out;
}

std::vector<AckFrame> PackSim::Acks() const {
  std::vector<AckFrame> out;
  for (const auto& frame : Sent(CanFunction::kAck)) {
    AckFrame f;
    if (DecodeAck(frame, &f) == DecodeStatus::kOk) out.push_back(f);
  }
  return out;
}

std::vector<AlarmFrame> PackSim::Alarms() const {
  std::vector<AlarmFrame> out;
  for (const auto& frame : Sent(CanFunction::kAlarm)) {
    AlarmFrame f;
    if (DecodeAlarm(frame, &f) == DecodeStatus::kOk) out.push_back(f);
  }
  return out;
}

std::vector<StoredSetting> PackSim::StorageWrites() const {
  std::vector<StoredSetting> out;
  for (const auto& e : effects_) {
    if (e.kind == EffectKind::kStorageWrite) out.push_back(e.setting);
  }
  return out;
}

int PackSim::ModbusRequests() const {
  return static_cast<int>(std::count_if(effects_.begin(), effects_.end(),
                                        [](const Effect& e) { return e.kind == EffectKind::kModbusSend; }));
}

}  // namespace packtwin::firmware::testing
