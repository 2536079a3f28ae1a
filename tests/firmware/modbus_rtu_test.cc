// bms-modbus.md: CRC-16/MODBUS low byte first, the poll request, and reply
// validation in the order length, address, function, byte count, CRC.
#include "packtwin/firmware/modbus_rtu.h"

#include <gtest/gtest.h>

#include <vector>

#include "pack_sim.h"

namespace packtwin::firmware {
namespace {

BmsReplyStatus Status(std::vector<uint8_t> bytes) { return ParseBmsReply(bytes.data(), bytes.size()).status; }

TEST(BmsModbus, PollRequestIs010300000004With4409) {
  uint8_t request[kBmsRequestLen];
  BuildBmsRequest(request);
  EXPECT_EQ(std::vector<uint8_t>(request, request + 8),
            (std::vector<uint8_t>{0x01, 0x03, 0x00, 0x00, 0x00, 0x04, 0x44, 0x09}));
}

TEST(BmsModbus, CrcIsModbusInitFFFFReflectedA001) {
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(Crc16Modbus(check, sizeof check), 0x4B37);  // the CRC-16/MODBUS check value
}

TEST(BmsModbus, CrcCarriedOnOverMoreBytesEqualsTheCrcOfTheWhole) {
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  for (size_t split = 0; split <= sizeof check; ++split) {
    const uint16_t head = Crc16ModbusUpdate(kCrc16ModbusInit, check, split);
    EXPECT_EQ(Crc16ModbusUpdate(head, check + split, sizeof check - split), 0x4B37) << "split at " << split;
  }
}

TEST(BmsModbus, GoodReplyGivesRegistersBigEndian) {
  const auto bytes = testing::BmsReply(544, -1250, 0x0041, -35);
  const BmsReply reply = ParseBmsReply(bytes.data(), bytes.size());
  ASSERT_EQ(reply.status, BmsReplyStatus::kOk);
  EXPECT_EQ(reply.registers.voltage_dV, 544);
  EXPECT_EQ(reply.registers.current_cA, -1250);
  EXPECT_EQ(reply.registers.alarm_bits, 0x0041);
  EXPECT_EQ(reply.registers.temp_dC, -35);
}

TEST(BmsModbus, ReplyWithEachDefectIsRejected) {
  auto good = testing::BmsReply(544, 0);
  auto shorter = good;
  shorter.pop_back();
  EXPECT_EQ(Status(shorter), BmsReplyStatus::kBadLength);
  auto extra = good;
  extra.push_back(0);
  EXPECT_EQ(Status(extra), BmsReplyStatus::kBadLength);
  auto address = good;
  address[0] = 0x02;
  EXPECT_EQ(Status(address), BmsReplyStatus::kWrongAddress);
  auto function = good;
  function[1] = 0x04;
  EXPECT_EQ(Status(function), BmsReplyStatus::kWrongFunction);
  auto count = good;
  count[2] = 6;
  EXPECT_EQ(Status(count), BmsReplyStatus::kWrongByteCount);
  auto crc = good;
  crc[11] ^= 1;
  EXPECT_EQ(Status(crc), BmsReplyStatus::kCrcError);
  EXPECT_EQ(Status({}), BmsReplyStatus::kBadLength);
}

TEST(BmsModbus, ValidationOrderIsLengthAddressFunctionByteCountCrc) {
  auto bytes = testing::BmsReply(544, 0);
  bytes[0] = 0x02;  // wrong address
  bytes[1] = 0x04;  // and wrong function
  bytes[2] = 6;     // and wrong count
  bytes[11] ^= 1;   // and a wrong CRC
  EXPECT_EQ(Status(bytes), BmsReplyStatus::kWrongAddress);
  bytes[0] = 0x01;
  EXPECT_EQ(Status(bytes), BmsReplyStatus::kWrongFunction);
  bytes[1] = 0x03;
  EXPECT_EQ(Status(bytes), BmsReplyStatus::kWrongByteCount);
  bytes[2] = 8;
  EXPECT_EQ(Status(bytes), BmsReplyStatus::kCrcError);
  bytes.push_back(0);
  EXPECT_EQ(Status(bytes), BmsReplyStatus::kBadLength);
}

TEST(BmsModbus, ExceptionReplyIsFiveBytesWithCode) {
  std::vector<uint8_t> bytes = {0x01, 0x83, 0x02};
  const uint16_t crc = Crc16Modbus(bytes.data(), bytes.size());
  bytes.push_back(static_cast<uint8_t>(crc & 0xFF));
  bytes.push_back(static_cast<uint8_t>(crc >> 8));
  const BmsReply reply = ParseBmsReply(bytes.data(), bytes.size());
  EXPECT_EQ(reply.status, BmsReplyStatus::kException);
  EXPECT_EQ(reply.exception_code, 2);
  auto bad_crc = bytes;
  bad_crc[4] ^= 1;
  EXPECT_EQ(Status(bad_crc), BmsReplyStatus::kCrcError);
  auto bad_address = bytes;
  bad_address[0] = 0x05;
  EXPECT_EQ(Status(bad_address), BmsReplyStatus::kWrongAddress);
  auto bad_function = bytes;
  bad_function[1] = 0x84;
  EXPECT_EQ(Status(bad_function), BmsReplyStatus::kWrongFunction);
}

// The BMS's side encodes what the pack's parser reads: one encoder beside the
// parser, used by the simulator, the scenarios, the BMS emulator and tests.
TEST(BmsModbus, EncodedRepliesParseBackToTheirRegistersAndCodes) {
  uint8_t reply[kBmsReplyLen];
  const BmsRegisters registers{5213, -1250, 0x0005, -35};
  EncodeBmsReply(registers, reply);
  EXPECT_EQ(reply[0], kBmsSlaveAddress);
  EXPECT_EQ(reply[1], kReadHoldingRegisters);
  EXPECT_EQ(reply[2], 8);
  const BmsReply parsed = ParseBmsReply(reply, sizeof reply);
  ASSERT_EQ(parsed.status, BmsReplyStatus::kOk);
  EXPECT_EQ(parsed.registers.voltage_dV, registers.voltage_dV);
  EXPECT_EQ(parsed.registers.current_cA, registers.current_cA);
  EXPECT_EQ(parsed.registers.alarm_bits, registers.alarm_bits);
  EXPECT_EQ(parsed.registers.temp_dC, registers.temp_dC);
  uint8_t exception[kExceptionReplyLen];
  EncodeExceptionReply(kReadHoldingRegisters, 0x02, exception);
  EXPECT_EQ(exception[1], 0x83);
  const BmsReply refused = ParseBmsReply(exception, sizeof exception);
  EXPECT_EQ(refused.status, BmsReplyStatus::kException);
  EXPECT_EQ(refused.exception_code, 0x02);
}

}  // namespace
}  // namespace packtwin::firmware
