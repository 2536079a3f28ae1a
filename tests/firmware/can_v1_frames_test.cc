// can-protocol.md: every frame encodes and decodes with its table length,
// little-endian fields, exact id matching and the ranges the table gives.
#include "packtwin/firmware/can_v1_frames.h"

#include <gtest/gtest.h>

#include <vector>

namespace packtwin::firmware {
namespace {

TEST(CanFrames, CommandRoundTripsWithArgsAndBroadcastNode) {
  CommandFrame c{0x7F, 0x10, 7, 2, {2, 1}};
  const CanFrame frame = EncodeCommand(c);
  EXPECT_EQ(frame.id, 0x07Fu);
  EXPECT_EQ(frame.len, 4);
  // can-protocol.md's example: 07F#10070201
  EXPECT_EQ(std::vector<uint8_t>(frame.data, frame.data + 4), (std::vector<uint8_t>{0x10, 0x07, 0x02, 0x01}));
  CommandFrame back;
  ASSERT_EQ(DecodeCommand(frame, &back), DecodeStatus::kOk);
  EXPECT_EQ(back.node, 0x7F);
  EXPECT_EQ(back.args_len, 2);
}

TEST(CanFrames, AckExampleFromTheSpec) {
  const CanFrame frame = EncodeAck({0x2A, 0x10, 7, 0});
  EXPECT_EQ(frame.id, 0x3AAu);  // pack 0x2A answers 3AA#100700
  EXPECT_EQ(frame.len, 3);
  EXPECT_EQ(std::vector<uint8_t>(frame.data, frame.data + 3), (std::vector<uint8_t>{0x10, 0x07, 0x00}));
}

TEST(CanFrames, FieldsAreLittleEndian) {
  const CanFrame frame = EncodeTelBatt({0x2A, 0x1450, -1250, 35, 0x0F, 0x01, 0x20});
  EXPECT_EQ(frame.data[0], 0x50);
  EXPECT_EQ(frame.data[1], 0x14);
  EXPECT_EQ(frame.data[2], 0x1E);  // -1250 = 0xFB1E
  EXPECT_EQ(frame.data[3], 0xFB);
  TimeFrame time{0x01, 0x6B3C0100, -300, 1};
  const CanFrame t = EncodeTime(time);
  EXPECT_EQ(t.len, 7);
  EXPECT_EQ(t.data[0], 0x00);
  EXPECT_EQ(t.data[3], 0x6B);
}

TEST(CanFrames, EveryFrameRoundTrips) {
  AlarmFrame alarm{0x2A, 2, 1, 0x0040, -55};
  AlarmFrame alarm_back;
  ASSERT_EQ(DecodeAlarm(EncodeAlarm(alarm), &alarm_back), DecodeStatus::kOk);
  EXPECT_EQ(alarm_back.temp_dC, -55);
  TimeFrame time{0x01, 1795237200, 60, 1};
  TimeFrame time_back;
  ASSERT_EQ(DecodeTime(EncodeTime(time), &time_back), DecodeStatus::kOk);
  EXPECT_EQ(time_back.unix_s, 1795237200u);
  EXPECT_EQ(time_back.utc_offset_min, 60);
  TelPowerFrame power{0x2A, 300, 1800, -650, 850};
  TelPowerFrame power_back;
  ASSERT_EQ(DecodeTelPower(EncodeTelPower(power), &power_back), DecodeStatus::kOk);
  EXPECT_EQ(power_back.p_batt_W, -650);
  TelLoadsFrame loads{0x2A, 400, 1200, 1234, 10, 30};
  TelLoadsFrame loads_back;
  ASSERT_EQ(DecodeTelLoads(EncodeTelLoads(loads), &loads_back), DecodeStatus::kOk);
  EXPECT_EQ(loads_back.grid_today_Wh10, 1234);
  FleetFrame fleet{0x51, 3, 48, -120, 52, 7};
  FleetFrame fleet_back;
  ASSERT_EQ(DecodeFleet(EncodeFleet(fleet), &fleet_back), DecodeStatus::kOk);
  EXPECT_EQ(fleet_back.p_batt_total_10W, -120);
  RelayEvtFrame evt{0x2A, 3, 0, 2, 0x07};
  RelayEvtFrame evt_back;
  ASSERT_EQ(DecodeRelayEvt(EncodeRelayEvt(evt), &evt_back), DecodeStatus::kOk);
  EXPECT_EQ(evt_back.cause, 2);
  HeartbeatFrame hb{0x2A, 1, 2, 6, 1, 0x1A2B3C4D};
  HeartbeatFrame hb_back;
  ASSERT_EQ(DecodeHeartbeat(EncodeHeartbeat(hb), &hb_back), DecodeStatus::kOk);
  EXPECT_EQ(hb_back.serial_lo, 0x1A2B3C4Du);
}

// A frame whose length differs from the table is BAD_LENGTH.
TEST(CanFrames, LengthDifferentFromTheTableIsBadLength) {
  CanFrame frame = EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0, 0});
  TelBattFrame batt;
  frame.len = 7;
  EXPECT_EQ(DecodeTelBatt(frame, &batt), DecodeStatus::kBadLength);
  CanFrame ack = EncodeAck({0x2A, 0x10, 1, 0});
  AckFrame a;
  ack.len = 4;
  EXPECT_EQ(DecodeAck(ack, &a), DecodeStatus::kBadLength);
  CanFrame time = EncodeTime({0x01, 1795237200, 60, 1});
  TimeFrame t;
  time.len = 8;
  EXPECT_EQ(DecodeTime(time, &t), DecodeStatus::kBadLength);
  CommandFrame c;
  CanFrame command = EncodeCommand({0x2A, 0x15, 1, 0, {}});
  command.len = 1;
  EXPECT_EQ(DecodeCommand(command, &c), DecodeStatus::kBadLength);
  RelayEvtFrame r;
  CanFrame evt = EncodeRelayEvt({0x2A, 0, 1, 1, 1});
  evt.len = 8;
  EXPECT_EQ(DecodeRelayEvt(evt, &r), DecodeStatus::kBadLength);
}

TEST(CanFrames, FieldsOutsideTheTablesRangesAreRejected) {
  HeartbeatFrame hb;
  EXPECT_EQ(DecodeHeartbeat(EncodeHeartbeat({0x2A, 5, 2, 6, 0, 1}), &hb), DecodeStatus::kOutOfRange);
  EXPECT_EQ(DecodeHeartbeat(EncodeHeartbeat({0x2A, 1, 2, 6, 3, 1}), &hb), DecodeStatus::kOutOfRange);
  RelayEvtFrame evt;
  EXPECT_EQ(DecodeRelayEvt(EncodeRelayEvt({0x2A, 4, 1, 1, 0x0F}), &evt), DecodeStatus::kOutOfRange);
  EXPECT_EQ(DecodeRelayEvt(EncodeRelayEvt({0x2A, 1, 1, 8, 0x0F}), &evt), DecodeStatus::kOutOfRange);
  // relays_after must agree with the change it announces
  EXPECT_EQ(DecodeRelayEvt(EncodeRelayEvt({0x2A, 1, 1, 1, 0x0D}), &evt), DecodeStatus::kOutOfRange);
  TelBattFrame batt;
  EXPECT_EQ(DecodeTelBatt(EncodeTelBatt({0x2A, 5200, 0, 101, 0, 0, 0}), &batt), DecodeStatus::kOutOfRange);
  AlarmFrame alarm;
  EXPECT_EQ(DecodeAlarm(EncodeAlarm({0x2A, 7, 1, 0, 0}), &alarm), DecodeStatus::kOutOfRange);
  AckFrame ack;
  EXPECT_EQ(DecodeAck(EncodeAck({0x2A, 0x10, 1, 5}), &ack), DecodeStatus::kOutOfRange);
  FleetFrame fleet;
  EXPECT_EQ(DecodeFleet(EncodeFleet({0x51, 127, 50, 0, 0, 0}), &fleet), DecodeStatus::kOutOfRange);
}

TEST(CanFrames, ReceiversMatchIdsExactlyNeverByMask) {
  TelBattFrame batt;
  CanFrame other = EncodeTelPower({0x2A, 0, 0, 0, 0});
  EXPECT_EQ(DecodeTelBatt(other, &batt), DecodeStatus::kWrongFunction);
  CommandFrame command;
  // 0x32A and 0x62A pass the 2.5 firmware's (id & 0x200) == 0x200 filter.
  for (uint32_t id : {0x32Au, 0x62Au, 0x72Au, 0x22Au}) {
    CanFrame frame = EncodeCommand({0x2A, 0x15, 1, 0, {}});
    frame.id = id;
    EXPECT_EQ(DecodeCommand(frame, &command), DecodeStatus::kWrongFunction) << std::hex << id;
  }
  CanFrame extended = EncodeTelBatt({0x2A, 5200, 0, 35, 0, 0, 0});
  extended.extended = true;
  EXPECT_EQ(DecodeTelBatt(extended, &batt), DecodeStatus::kWrongFunction);
}

}  // namespace
}  // namespace packtwin::firmware
