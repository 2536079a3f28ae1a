// The signal table (can_v1_signals.h) and the firmware's frame codecs describe
// the same wire: every field of every frame sits where the table says, with
// its sign, and the decoders accept exactly the lengths and ranges it gives.
// The DBC and the exports' decoded signals are made from the table, so these
// tests are what keeps them true to the firmware.
#include "packtwin/firmware/can_v1_signals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {
namespace {

using Fields = std::map<std::string, int64_t>;

// Every signal the table finds in `frame`, raw.
Fields TableDecode(const CanFrame& frame) {
  Fields fields;
  const CanV1Id id = ClassifyCanV1Id(frame.id, frame.extended, frame.remote, frame.error);
  const FrameSpec* spec = CanV1FrameSpec(id.function);
  if (!id.valid || spec == nullptr) return fields;
  int64_t mux = 0;
  for (uint8_t i = 0; i < spec->signal_count; ++i) {
    const SignalSpec& s = spec->signals[i];
    if (s.multiplexor) SignalRaw(s, frame, &mux);
  }
  for (uint8_t i = 0; i < spec->signal_count; ++i) {
    const SignalSpec& s = spec->signals[i];
    int64_t raw = 0;
    if (SignalPresent(s, mux) && SignalRaw(s, frame, &raw)) fields[s.name] = raw;
  }
  return fields;
}

int64_t Bit(uint8_t byte, int bit) { return (byte >> bit) & 1; }

class SignalTable : public ::testing::Test {
 protected:
  std::mt19937 rng_{20261202};
  template <typename T>
  T Random(int64_t lo, int64_t hi) {
    return static_cast<T>(std::uniform_int_distribution<int64_t>(lo, hi)(rng_));
  }
};

TEST_F(SignalTable, EveryFieldOfEveryFrameIsWhereTheTableSaysWithItsSign) {
  for (int round = 0; round < 500; ++round) {
    const uint8_t node = Random<uint8_t>(1, 0x7E);
    TelBattFrame batt{node, Random<uint16_t>(0, 0xFFFF), Random<int16_t>(-32768, 32767), Random<uint8_t>(0, 100),
                      Random<uint8_t>(0, 0x0F), Random<uint8_t>(0, 0x1F), Random<uint8_t>(0, 0x3F)};
    Fields f = TableDecode(EncodeTelBatt(batt));
    EXPECT_EQ(f["pack_V"], batt.pack_cV);
    EXPECT_EQ(f["current_A"], batt.current_cA);
    EXPECT_EQ(f["soc_pct"], batt.soc);
    EXPECT_EQ(f["relay_grid"] | f["relay_inverter_output"] << 1 | f["relay_pool_pump"] << 2 | f["relay_water_heater"] << 3,
              batt.relays);
    EXPECT_EQ(f["mode_self_consumption"] | f["mode_eco"] << 1 | f["mode_time_of_use"] << 2 | f["mode_backup"] << 3 |
                  f["mode_grid_limit"] << 4,
              batt.modes);
    EXPECT_EQ(f["lockout"], Bit(batt.status, 0));
    EXPECT_EQ(f["eco_overload"], Bit(batt.status, 1));
    EXPECT_EQ(f["bms_comm_lost"], Bit(batt.status, 2));
    EXPECT_EQ(f["bms_alarm"], Bit(batt.status, 3));
    EXPECT_EQ(f["time_unsynced"], Bit(batt.status, 4));
    EXPECT_EQ(f["is_master"], Bit(batt.status, 5));

    TelPowerFrame power{node, Random<int16_t>(-32768, 32767), Random<int16_t>(-32768, 32767),
                        Random<int16_t>(-32768, 32767), Random<int16_t>(-32768, 32767)};
    f = TableDecode(EncodeTelPower(power));
    EXPECT_EQ(f["p_grid_W"], power.p_grid_W);
    EXPECT_EQ(f["p_home_W"], power.p_home_W);
    EXPECT_EQ(f["p_batt_W"], power.p_batt_W);
    EXPECT_EQ(f["p_solar_W"], power.p_solar_W);

    TelLoadsFrame loads{node, Random<int16_t>(-32768, 32767), Random<int16_t>(-32768, 32767),
                        Random<uint16_t>(0, 0xFFFF), Random<uint8_t>(0, 255), Random<uint8_t>(0, 255)};
    f = TableDecode(EncodeTelLoads(loads));
    EXPECT_EQ(f["p_pool_W"], loads.p_pool_W);
    EXPECT_EQ(f["p_heater_W"], loads.p_heater_W);
    EXPECT_EQ(f["grid_today_Wh"], loads.grid_today_Wh10);
    EXPECT_EQ(f["grid_budget_kWh"], loads.grid_budget_kWh);
    EXPECT_EQ(f["eco_limit_W"], loads.eco_limit_100W);

    FleetFrame fleet{node, Random<uint8_t>(0, 126), Random<uint8_t>(0, 100), Random<int16_t>(-32768, 32767),
                     Random<int16_t>(-32768, 32767), Random<uint16_t>(0, 0xFFFF)};
    f = TableDecode(EncodeFleet(fleet));
    EXPECT_EQ(f["packs_online"], fleet.packs_online);
    EXPECT_EQ(f["avg_soc_pct"], fleet.avg_soc);
    EXPECT_EQ(f["p_batt_total_W"], fleet.p_batt_total_10W);
    EXPECT_EQ(f["p_solar_total_W"], fleet.p_solar_total_10W);
    EXPECT_EQ(f["grid_today_total_Wh"], fleet.grid_today_total_100Wh);

    AlarmFrame alarm{node, Random<uint8_t>(1, 6), Random<uint8_t>(0, 1), Random<uint16_t>(0, 0xFFFF),
                     Random<int16_t>(-32768, 32767)};
    f = TableDecode(EncodeAlarm(alarm));
    EXPECT_EQ(f["code"], alarm.code);
    EXPECT_EQ(f["active"], alarm.active);
    EXPECT_EQ(f["bms_alarm_bits"], alarm.bms_alarm_bits);
    EXPECT_EQ(f["temp_degC"], alarm.temp_dC);

    TimeFrame time{node, Random<uint32_t>(0, 0xFFFFFFFF), Random<int16_t>(-32768, 32767), Random<uint8_t>(0, 1)};
    f = TableDecode(EncodeTime(time));
    EXPECT_EQ(f["unix_s"], time.unix_s);
    EXPECT_EQ(f["utc_offset_min"], time.utc_offset_min);
    EXPECT_EQ(f["from_ntp"], time.flags & 1);

    AckFrame ack{node, Random<uint8_t>(0, 255), Random<uint8_t>(0, 255), Random<uint8_t>(0, 4)};
    f = TableDecode(EncodeAck(ack));
    EXPECT_EQ(f["cmd"], ack.cmd);
    EXPECT_EQ(f["seq"], ack.seq);
    EXPECT_EQ(f["status"], ack.status);

    const uint8_t relay = Random<uint8_t>(0, 3);
    const uint8_t closed = Random<uint8_t>(0, 1);
    const uint8_t after = static_cast<uint8_t>((Random<uint8_t>(0, 15) & ~(1u << relay)) | (closed << relay));
    RelayEvtFrame evt{node, relay, closed, Random<uint8_t>(0, 7), after};
    f = TableDecode(EncodeRelayEvt(evt));
    EXPECT_EQ(f["relay"], evt.relay);
    EXPECT_EQ(f["closed"], evt.closed);
    EXPECT_EQ(f["cause"], evt.cause);
    EXPECT_EQ(f["relays_after"], evt.relays_after);

    HeartbeatFrame beat{node, Random<uint8_t>(1, 4), Random<uint8_t>(0, 255), Random<uint8_t>(0, 255),
                        Random<uint8_t>(0, 2), Random<uint32_t>(0, 0xFFFFFFFF)};
    f = TableDecode(EncodeHeartbeat(beat));
    EXPECT_EQ(f["device_type"], beat.device_type);
    EXPECT_EQ(f["fw_major"], beat.fw_major);
    EXPECT_EQ(f["fw_minor"], beat.fw_minor);
    EXPECT_EQ(f["role"], beat.role);
    EXPECT_EQ(f["serial_lo"], beat.serial_lo);
  }
}

TEST_F(SignalTable, CommandArgumentsFollowTheirCommandAsMultiplexedSignals) {
  const auto command = [](Command cmd, std::initializer_list<uint8_t> args) {
    CommandFrame c{0x2A, static_cast<uint8_t>(cmd), 9, static_cast<uint8_t>(args.size()), {}};
    std::copy(args.begin(), args.end(), c.args);  // not memcpy: an empty list has no data pointer
    return TableDecode(EncodeCommand(c));
  };
  Fields f = command(Command::kSetMode, {2, 1});
  EXPECT_EQ(f, (Fields{{"cmd", 0x10}, {"seq", 9}, {"mode", 2}, {"on", 1}}));
  f = command(Command::kSetEcoLimit, {0xB8, 0x0B});
  EXPECT_EQ(f, (Fields{{"cmd", 0x11}, {"seq", 9}, {"eco_limit_W", 3000}}));
  f = command(Command::kSetGridBudget, {12});
  EXPECT_EQ(f, (Fields{{"cmd", 0x12}, {"seq", 9}, {"grid_budget_kWh", 12}}));
  f = command(Command::kSetTouWindow, {22, 6});
  EXPECT_EQ(f, (Fields{{"cmd", 0x13}, {"seq", 9}, {"start_h", 22}, {"end_h", 6}}));
  f = command(Command::kSetRelay, {2, 0xFF});
  EXPECT_EQ(f, (Fields{{"cmd", 0x14}, {"seq", 9}, {"relay", 2}, {"state", 0xFF}}));
  f = command(Command::kResetGridEnergy, {});
  EXPECT_EQ(f, (Fields{{"cmd", 0x15}, {"seq", 9}}));
}

// One valid frame of each kind (not COMMAND: its arguments' ranges are the
// command handler's, answered with an ACK, not the decoder's).
CanFrame ValidFrame(CanFunction function) {
  switch (function) {
    case CanFunction::kAlarm: return EncodeAlarm({0x2A, 1, 0, 0, 0});
    case CanFunction::kTime: return EncodeTime({0x01, 0, 0, 0});
    case CanFunction::kTelBatt: return EncodeTelBatt({0x2A, 0, 0, 0, 0, 0, 0});
    case CanFunction::kTelPower: return EncodeTelPower({0x2A, 0, 0, 0, 0});
    case CanFunction::kTelLoads: return EncodeTelLoads({0x2A, 0, 0, 0, 0, 0});
    case CanFunction::kFleet: return EncodeFleet({0x2A, 0, 0, 0, 0, 0});
    case CanFunction::kAck: return EncodeAck({0x2A, 0x10, 0, 0});
    case CanFunction::kRelayEvt: return EncodeRelayEvt({0x2A, 0, 0, 0, 0});
    case CanFunction::kHeartbeat: return EncodeHeartbeat({0x2A, 1, 2, 6, 0, 0});
    default: return EncodeCommand({0x2A, 0x10, 0, 0, {}});
  }
}

DecodeStatus Decode(const CanFrame& frame) {
  const CanV1Id id = ClassifyCanV1Id(frame.id, false, false, false);
  AlarmFrame a; TimeFrame t; TelBattFrame b; TelPowerFrame p; TelLoadsFrame l; FleetFrame f; AckFrame k;
  RelayEvtFrame r; HeartbeatFrame h; CommandFrame c;
  switch (id.function) {
    case CanFunction::kAlarm: return DecodeAlarm(frame, &a);
    case CanFunction::kTime: return DecodeTime(frame, &t);
    case CanFunction::kTelBatt: return DecodeTelBatt(frame, &b);
    case CanFunction::kTelPower: return DecodeTelPower(frame, &p);
    case CanFunction::kTelLoads: return DecodeTelLoads(frame, &l);
    case CanFunction::kFleet: return DecodeFleet(frame, &f);
    case CanFunction::kAck: return DecodeAck(frame, &k);
    case CanFunction::kRelayEvt: return DecodeRelayEvt(frame, &r);
    case CanFunction::kHeartbeat: return DecodeHeartbeat(frame, &h);
    default: return DecodeCommand(frame, &c);
  }
}

void SetRaw(const SignalSpec& s, int64_t raw, CanFrame* frame) {
  for (uint32_t i = 0; i < s.bits; ++i) {
    const uint32_t bit = s.start_bit + i;
    frame->data[bit / 8] = static_cast<uint8_t>((frame->data[bit / 8] & ~(1u << (bit % 8))) | (((raw >> i) & 1) << (bit % 8)));
  }
}

TEST(SignalTableRules, DecodersAcceptExactlyTheTablesLengths) {
  for (size_t i = 0; i < CanV1FrameCount(); ++i) {
    const FrameSpec& spec = CanV1Frames()[i];
    CanFrame frame = ValidFrame(spec.function);
    ASSERT_EQ(Decode(frame), DecodeStatus::kOk) << spec.name;
    frame.len = static_cast<uint8_t>(spec.min_len - 1);
    EXPECT_EQ(Decode(frame), DecodeStatus::kBadLength) << spec.name << " one byte short";
    if (spec.max_len < 8) {
      frame.len = static_cast<uint8_t>(spec.max_len + 1);
      EXPECT_EQ(Decode(frame), DecodeStatus::kBadLength) << spec.name << " one byte long";
    }
  }
}

TEST(SignalTableRules, DecodersAcceptExactlyTheTablesRanges) {
  for (size_t i = 0; i < CanV1FrameCount(); ++i) {
    const FrameSpec& spec = CanV1Frames()[i];
    if (spec.function == CanFunction::kCommand) continue;
    for (uint8_t j = 0; j < spec.signal_count; ++j) {
      const SignalSpec& s = spec.signals[j];
      const int64_t type_max = s.is_signed ? (int64_t{1} << (s.bits - 1)) - 1 : (int64_t{1} << s.bits) - 1;
      for (int64_t value : {s.min_raw, s.max_raw}) {
        CanFrame frame = ValidFrame(spec.function);
        SetRaw(s, value, &frame);
        // RELAY_EVT's relays_after must agree with `closed` for relay 0.
        if (spec.function == CanFunction::kRelayEvt && s.name == std::string("closed")) SetRaw(spec.signals[3], value, &frame);
        if (spec.function == CanFunction::kRelayEvt && s.name == std::string("relays_after")) SetRaw(spec.signals[1], value & 1, &frame);
        EXPECT_EQ(Decode(frame), DecodeStatus::kOk) << spec.name << "." << s.name << " = " << value;
      }
      if (s.max_raw < type_max) {
        CanFrame frame = ValidFrame(spec.function);
        SetRaw(s, s.max_raw + 1, &frame);
        EXPECT_EQ(Decode(frame), DecodeStatus::kOutOfRange) << spec.name << "." << s.name << " = " << s.max_raw + 1;
      }
      if (!s.is_signed && s.min_raw > 0) {
        CanFrame frame = ValidFrame(spec.function);
        SetRaw(s, s.min_raw - 1, &frame);
        EXPECT_EQ(Decode(frame), DecodeStatus::kOutOfRange) << spec.name << "." << s.name << " = " << s.min_raw - 1;
      }
    }
  }
}

TEST(SignalTableRules, ASignalBeyondTheFramesLengthHasNoValue) {
  CanFrame frame = EncodeAck({0x2A, 0x10, 7, 0});
  frame.len = 2;
  const FrameSpec* spec = CanV1FrameSpec(CanFunction::kAck);
  int64_t raw = -1;
  EXPECT_TRUE(SignalRaw(spec->signals[1], frame, &raw));
  EXPECT_EQ(raw, 7);
  EXPECT_FALSE(SignalRaw(spec->signals[2], frame, &raw));
  frame.len = 200;  // a length no frame can have is never read past
  EXPECT_FALSE(SignalRaw(spec->signals[0], frame, &raw));
  EXPECT_EQ(CanV1FrameSpec(static_cast<CanFunction>(0x9)), nullptr);
}

TEST(SignalTableRules, EverySignalNameCarriesItsUnitLast) {
  for (size_t i = 0; i < CanV1FrameCount(); ++i) {
    const FrameSpec& spec = CanV1Frames()[i];
    for (uint8_t j = 0; j < spec.signal_count; ++j) {
      const std::string name = spec.signals[j].name;
      const std::string unit = spec.signals[j].unit;
      if (unit.empty()) continue;
      const std::string suffix = unit == "%" ? "_pct" : "_" + unit;
      EXPECT_TRUE(name.size() > suffix.size() && name.ends_with(suffix)) << spec.name << "." << name << " [" << unit << "]";
    }
  }
}

}  // namespace
}  // namespace packtwin::firmware
