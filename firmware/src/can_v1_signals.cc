#include "packtwin/firmware/can_v1_signals.h"

#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {
namespace {

constexpr ValueName kNoYes[] = {{0, "no"}, {1, "yes"}};
constexpr ValueName kOpenClosed[] = {{0, "open"}, {1, "closed"}};
constexpr ValueName kAlarmCodes[] = {{1, "BMS_ALARM_BITS"}, {2, "BMS_COMM_LOST"}, {3, "TIME_INVALID"},
                                     {4, "NODE_ID_CONFLICT"}, {5, "ECO_OVERLOAD"}, {6, "LOCKOUT"}};
constexpr ValueName kCommands[] = {{0x10, "SET_MODE"},       {0x11, "SET_ECO_LIMIT"},    {0x12, "SET_GRID_BUDGET"},
                                   {0x13, "SET_TOU_WINDOW"}, {0x14, "SET_RELAY"},        {0x15, "RESET_GRID_ENERGY"},
                                   {0x16, "REQUEST_STATUS"}};
constexpr ValueName kAckStatuses[] = {
    {0, "OK"}, {1, "UNKNOWN_COMMAND"}, {2, "BAD_LENGTH"}, {3, "OUT_OF_RANGE"}, {4, "REJECTED"}};
constexpr ValueName kRelays[] = {{0, "grid"}, {1, "inverter_output"}, {2, "pool_pump"}, {3, "water_heater"}};
constexpr ValueName kCauses[] = {{0, "boot"},   {1, "self_consumption"}, {2, "eco"},    {3, "time_of_use"},
                                 {4, "backup"}, {5, "lockout"},          {6, "manual"}, {7, "default"}};
constexpr ValueName kRoles[] = {{0, "slave"}, {1, "master"}, {2, "observer"}};
constexpr ValueName kDeviceTypes[] = {{1, "energy_pack"}, {2, "energy_gateway"}, {3, "bridge"}, {4, "display"}};
constexpr ValueName kModes[] = {{1, "self_consumption"}, {2, "eco"}, {3, "time_of_use"}, {4, "backup"}, {5, "grid_limit"}};
constexpr ValueName kRelayStates[] = {{0, "open"}, {1, "closed"}, {kManualClear, "clear"}};

constexpr int64_t kU8 = 0xFF;
constexpr int64_t kU16 = 0xFFFF;
constexpr int64_t kU32 = 0xFFFFFFFF;

// Unsigned, unscaled, unitless, whole range.
constexpr SignalSpec Plain(const char* name, uint8_t start_bit, uint8_t bits, int64_t max_raw) {
  return {name, start_bit, bits, false, 1, 1, "", 0, max_raw, nullptr, 0, false, kAlways};
}
constexpr SignalSpec Scaled(const char* name, uint8_t start_bit, uint8_t bits, bool is_signed, int32_t num,
                            int32_t den, const char* unit, int64_t min_raw, int64_t max_raw) {
  return {name, start_bit, bits, is_signed, num, den, unit, min_raw, max_raw, nullptr, 0, false, kAlways};
}
template <size_t N>
constexpr SignalSpec Named(const char* name, uint8_t start_bit, uint8_t bits, int64_t min_raw, int64_t max_raw,
                           const ValueName (&values)[N], int16_t mux_value = kAlways) {
  return {name, start_bit, bits, false, 1, 1, "", min_raw, max_raw, values, N, false, mux_value};
}
constexpr SignalSpec Flag(const char* name, uint8_t bit) { return Named(name, bit, 1, 0, 1, kNoYes); }
constexpr SignalSpec Muxed(SignalSpec signal, int16_t mux_value) {
  signal.mux_value = mux_value;
  return signal;
}

constexpr int16_t Mux(Command command) { return static_cast<int16_t>(command); }

constexpr SignalSpec kCommandSignals[] = {
    {"cmd", 0, 8, false, 1, 1, "", 0, kU8, kCommands, 7, true, kAlways},
    Plain("seq", 8, 8, kU8),
    Muxed(Named("mode", 16, 8, 1, kModeCount, kModes), Mux(Command::kSetMode)),
    Muxed(Named("on", 24, 8, 0, 1, kNoYes), Mux(Command::kSetMode)),
    Muxed(Scaled("eco_limit_W", 16, 16, false, 1, 1, "W", 100, 25000), Mux(Command::kSetEcoLimit)),
    Muxed(Scaled("grid_budget_kWh", 16, 8, false, 1, 1, "kWh", 2, 30), Mux(Command::kSetGridBudget)),
    Muxed(Scaled("start_h", 16, 8, false, 1, 1, "h", 0, 23), Mux(Command::kSetTouWindow)),
    Muxed(Scaled("end_h", 24, 8, false, 1, 1, "h", 0, 23), Mux(Command::kSetTouWindow)),
    Muxed(Named("relay", 16, 8, 0, 3, kRelays), Mux(Command::kSetRelay)),
    Muxed(Named("state", 24, 8, 0, kManualClear, kRelayStates), Mux(Command::kSetRelay)),
};

constexpr SignalSpec kAlarmSignals[] = {
    Named("code", 0, 8, 1, 6, kAlarmCodes),
    Named("active", 8, 8, 0, 1, kNoYes),
    Plain("bms_alarm_bits", 16, 16, kU16),
    Scaled("temp_degC", 32, 16, true, 1, 10, "degC", -32768, 32767),
};

constexpr SignalSpec kTimeSignals[] = {
    Scaled("unix_s", 0, 32, false, 1, 1, "s", 0, kU32),
    Scaled("utc_offset_min", 32, 16, true, 1, 1, "min", -32768, 32767),
    Flag("from_ntp", 48),
};

constexpr SignalSpec kTelBattSignals[] = {
    Scaled("pack_V", 0, 16, false, 1, 100, "V", 0, kU16),
    Scaled("current_A", 16, 16, true, 1, 100, "A", -32768, 32767),
    Scaled("soc_pct", 32, 8, false, 1, 1, "%", 0, 100),
    Named("relay_grid", 40, 1, 0, 1, kOpenClosed),
    Named("relay_inverter_output", 41, 1, 0, 1, kOpenClosed),
    Named("relay_pool_pump", 42, 1, 0, 1, kOpenClosed),
    Named("relay_water_heater", 43, 1, 0, 1, kOpenClosed),
    Flag("mode_self_consumption", 48),
    Flag("mode_eco", 49),
    Flag("mode_time_of_use", 50),
    Flag("mode_backup", 51),
    Flag("mode_grid_limit", 52),
    Flag("lockout", 56),
    Flag("eco_overload", 57),
    Flag("bms_comm_lost", 58),
    Flag("bms_alarm", 59),
    Flag("time_unsynced", 60),
    Flag("is_master", 61),
};

constexpr SignalSpec kTelPowerSignals[] = {
    Scaled("p_grid_W", 0, 16, true, 1, 1, "W", -32768, 32767),
    Scaled("p_home_W", 16, 16, true, 1, 1, "W", -32768, 32767),
    Scaled("p_batt_W", 32, 16, true, 1, 1, "W", -32768, 32767),
    Scaled("p_solar_W", 48, 16, true, 1, 1, "W", -32768, 32767),
};

constexpr SignalSpec kTelLoadsSignals[] = {
    Scaled("p_pool_W", 0, 16, true, 1, 1, "W", -32768, 32767),
    Scaled("p_heater_W", 16, 16, true, 1, 1, "W", -32768, 32767),
    Scaled("grid_today_Wh", 32, 16, false, 10, 1, "Wh", 0, kU16),
    Scaled("grid_budget_kWh", 48, 8, false, 1, 1, "kWh", 0, kU8),
    Scaled("eco_limit_W", 56, 8, false, 100, 1, "W", 0, kU8),
};

constexpr SignalSpec kFleetSignals[] = {
    Plain("packs_online", 0, 8, 126),
    Scaled("avg_soc_pct", 8, 8, false, 1, 1, "%", 0, 100),
    Scaled("p_batt_total_W", 16, 16, true, 10, 1, "W", -32768, 32767),
    Scaled("p_solar_total_W", 32, 16, true, 10, 1, "W", -32768, 32767),
    Scaled("grid_today_total_Wh", 48, 16, false, 100, 1, "Wh", 0, kU16),
};

constexpr SignalSpec kAckSignals[] = {
    Named("cmd", 0, 8, 0, kU8, kCommands),
    Plain("seq", 8, 8, kU8),
    Named("status", 16, 8, 0, 4, kAckStatuses),
};

constexpr SignalSpec kRelayEvtSignals[] = {
    Named("relay", 0, 8, 0, 3, kRelays),
    Named("closed", 8, 8, 0, 1, kOpenClosed),
    Named("cause", 16, 8, 0, 7, kCauses),
    Plain("relays_after", 24, 8, 0x0F),
};

constexpr SignalSpec kHeartbeatSignals[] = {
    Named("device_type", 0, 8, 1, 4, kDeviceTypes),
    Plain("fw_major", 8, 8, kU8),
    Plain("fw_minor", 16, 8, kU8),
    Named("role", 24, 8, 0, 2, kRoles),
    Plain("serial_lo", 32, 32, kU32),
};

template <size_t N>
constexpr uint8_t Count(const SignalSpec (&)[N]) {
  return static_cast<uint8_t>(N);
}

constexpr FrameSpec kFrames[] = {
    {CanFunction::kCommand, "COMMAND", "bridge", 2, 8, kCommandSignals, Count(kCommandSignals)},
    {CanFunction::kAlarm, "ALARM", "node", 8, 8, kAlarmSignals, Count(kAlarmSignals)},
    {CanFunction::kTime, "TIME", "bridge", 7, 7, kTimeSignals, Count(kTimeSignals)},
    {CanFunction::kTelBatt, "TEL_BATT", "pack", 8, 8, kTelBattSignals, Count(kTelBattSignals)},
    {CanFunction::kTelPower, "TEL_POWER", "pack", 8, 8, kTelPowerSignals, Count(kTelPowerSignals)},
    {CanFunction::kTelLoads, "TEL_LOADS", "pack", 8, 8, kTelLoadsSignals, Count(kTelLoadsSignals)},
    {CanFunction::kFleet, "FLEET", "master", 8, 8, kFleetSignals, Count(kFleetSignals)},
    {CanFunction::kAck, "ACK", "node", 3, 3, kAckSignals, Count(kAckSignals)},
    {CanFunction::kRelayEvt, "RELAY_EVT", "pack", 4, 4, kRelayEvtSignals, Count(kRelayEvtSignals)},
    {CanFunction::kHeartbeat, "HEARTBEAT", "node", 8, 8, kHeartbeatSignals, Count(kHeartbeatSignals)},
};

}  // namespace

const FrameSpec* CanV1Frames() { return kFrames; }
size_t CanV1FrameCount() { return sizeof(kFrames) / sizeof(kFrames[0]); }

const FrameSpec* CanV1FrameSpec(CanFunction function) {
  for (const FrameSpec& frame : kFrames) {
    if (frame.function == function) return &frame;
  }
  return nullptr;
}

bool SignalRaw(const SignalSpec& signal, const CanFrame& frame, int64_t* raw) {
  const uint32_t end_bit = static_cast<uint32_t>(signal.start_bit) + signal.bits;
  if (signal.bits == 0 || signal.bits > 32 || frame.len > kCanMaxLen || end_bit > static_cast<uint32_t>(frame.len) * 8) {
    return false;
  }
  uint64_t value = 0;
  for (uint32_t i = 0; i < signal.bits; ++i) {
    const uint32_t bit = signal.start_bit + i;
    value |= static_cast<uint64_t>((frame.data[bit / 8] >> (bit % 8)) & 1u) << i;
  }
  if (signal.is_signed && ((value >> (signal.bits - 1)) & 1u) != 0) {
    *raw = static_cast<int64_t>(value) - (int64_t{1} << signal.bits);
  } else {
    *raw = static_cast<int64_t>(value);
  }
  return true;
}

bool SignalPresent(const SignalSpec& signal, int64_t multiplexor_raw) {
  return signal.mux_value == kAlways || signal.mux_value == multiplexor_raw;
}

}  // namespace packtwin::firmware
