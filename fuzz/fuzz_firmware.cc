// The firmware's decoders of untrusted bytes: every CAN v1 frame kind from
// arbitrary id, length and data, and the BMS reply parser.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/modbus_rtu.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace packtwin::firmware;
  (void)ParseBmsReply(data, size);
  if (size < 5) return 0;
  CanFrame frame;
  frame.id = (static_cast<uint32_t>(data[0]) << 24 | static_cast<uint32_t>(data[1]) << 16 |
              static_cast<uint32_t>(data[2]) << 8 | data[3]) & 0x1FFFFFFF;
  frame.extended = (data[4] & 0x80) != 0;
  frame.remote = (data[4] & 0x40) != 0;
  frame.len = static_cast<uint8_t>(data[4] & 0x0F);  // 0..15: lengths past 8 must be refused
  const size_t copy = size - 5 < sizeof frame.data ? size - 5 : sizeof frame.data;
  std::memcpy(frame.data, data + 5, copy);
  CommandFrame command;
  AlarmFrame alarm;
  TimeFrame time;
  TelBattFrame batt;
  TelPowerFrame power;
  TelLoadsFrame loads;
  FleetFrame fleet;
  AckFrame ack;
  RelayEvtFrame relay;
  HeartbeatFrame heartbeat;
  (void)DecodeCommand(frame, &command);
  (void)DecodeAlarm(frame, &alarm);
  (void)DecodeTime(frame, &time);
  (void)DecodeTelBatt(frame, &batt);
  (void)DecodeTelPower(frame, &power);
  (void)DecodeTelLoads(frame, &loads);
  (void)DecodeFleet(frame, &fleet);
  (void)DecodeAck(frame, &ack);
  (void)DecodeRelayEvt(frame, &relay);
  (void)DecodeHeartbeat(frame, &heartbeat);
  return 0;
}
