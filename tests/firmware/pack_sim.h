// Drives one pack reducer through simulated time for the rule tests: runs due
// duties in order, answers BMS polls 20 ms later as configured, feeds CT
// samples, and keeps every effect for assertions.
#pragma once

#include <cstdint>
#include <vector>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/le_bytes.h"
#include "packtwin/firmware/pack_reducer.h"

namespace packtwin::firmware::testing {

inline constexpr uint64_t kSerial = 0x24A16057F3C1ull;
// 2026-11-21T04:00:00 local at UTC+1 (03:00Z), as a TIME frame carries it.
inline constexpr uint32_t kUnix0400Local = 1795230000;

// Settings as non-volatile storage holds them after commissioning.
inline PackSettings StoredSettings(uint8_t node_id = 0x2A, uint8_t modes = 0) {
  PackSettings s;
  s.valid = true;
  s.node_id = node_id;
  s.modes = modes;
  return s;
}

// A CT current that reads back as exactly `watts`.
inline uint32_t MilliampsFor(uint32_t watts) { return (watts * 1000 + 219) / 220; }

enum class BmsMode { kGood, kSilent, kCrcError, kCrcHighByteFirst, kException, kWrongAddress, kWrongFunction,
                     kWrongByteCount, kShort, kExtraByte };

// A 13-byte BMS reply for these registers (CRC low byte first).
std::vector<uint8_t> BmsReply(uint16_t voltage_dV, int16_t current_cA, uint16_t alarms = 0, int16_t temp_dC = 250);

class PackSim {
 public:
  explicit PackSim(uint64_t serial = kSerial, PackSettings stored = {}, uint64_t boot_ms = 0);

  // Runs everything due up to and including t.
  void AdvanceTo(uint64_t t);
  void Advance(uint64_t ms) { AdvanceTo(now_ + ms); }
  void Frame(const CanFrame& frame);
  void Command(uint8_t node, uint8_t cmd, uint8_t seq, std::vector<uint8_t> args);
  void Time(uint32_t unix_s, int16_t offset_min = 60);
  void Heartbeat(uint8_t node, uint32_t serial_lo, DeviceType type = DeviceType::kEnergyPack, Role role = Role::kSlave);
  void Ct(uint32_t grid_mA, uint32_t home_mA, uint32_t pool_mA, uint32_t heater_mA);

  // What the BMS answers to each poll from now on.
  void SetBms(uint16_t voltage_dV, int16_t current_cA = 0, uint16_t alarms = 0);
  void SetBmsMode(BmsMode mode) { bms_mode_ = mode; }
  // CT samples every 500 ms with these currents (0 = off).
  void SetCt(uint32_t grid_mA, uint32_t home_mA, uint32_t pool_mA, uint32_t heater_mA);

  // Effects since the last ClearEffects(), in order.
  const std::vector<Effect>& effects() const { return effects_; }
  void ClearEffects() { effects_.clear(); }
  std::vector<CanFrame> Sent(CanFunction function) const;
  std::vector<RelayEvtFrame> RelayEvents() const;
  std::vector<AckFrame> Acks() const;
  std::vector<AlarmFrame> Alarms() const;
  std::vector<StoredSetting> StorageWrites() const;
  int ModbusRequests() const;

  PackState& state() { return state_; }
  uint64_t now() const { return now_; }
  bool RelayClosed(uint8_t relay) const { return (state_.decision.relays >> relay) & 1u; }
  uint8_t node() const { return state_.settings.node_id; }

 private:
  void Keep(const Effects& effects, uint64_t at);
  void AnswerBms(uint64_t at);

  PackState state_;
  Effects scratch_;
  std::vector<Effect> effects_;
  uint64_t now_ = 0;
  BmsMode bms_mode_ = BmsMode::kGood;
  uint16_t voltage_dV_ = 544;  // 54.4 V: 50 %
  int16_t current_cA_ = 0;
  uint16_t alarms_ = 0;
  uint64_t bms_reply_at_ = UINT64_MAX;
  bool ct_on_ = false;
  CtSample ct_;
  uint64_t next_ct_at_ = 0;
};

}  // namespace packtwin::firmware::testing
