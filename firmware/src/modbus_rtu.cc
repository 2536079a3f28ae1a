#include "packtwin/firmware/modbus_rtu.h"

namespace packtwin::firmware {
namespace {

uint16_t GetBigEndian(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

BmsReply Rejected(BmsReplyStatus status) {
  BmsReply reply;
  reply.status = status;
  return reply;
}

// The CRC is sent low byte first.
bool CrcMatches(const uint8_t* bytes, size_t len) {
  const uint16_t crc = Crc16Modbus(bytes, len - 2);
  return bytes[len - 2] == (crc & 0xFFu) && bytes[len - 1] == (crc >> 8);
}

}  // namespace

uint16_t Crc16Modbus(const uint8_t* bytes, size_t len) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < len; ++i) {
    crc = static_cast<uint16_t>(crc ^ bytes[i]);
    for (int bit = 0; bit < 8; ++bit) {
      const bool lsb = (crc & 1u) != 0;
      crc = static_cast<uint16_t>(crc >> 1);
      if (lsb) crc = static_cast<uint16_t>(crc ^ 0xA001u);
    }
  }
  return crc;
}

void BuildBmsRequest(uint8_t out[kBmsRequestLen]) {
  out[0] = kBmsSlaveAddress;
  out[1] = kReadHoldingRegisters;
  out[2] = 0x00;  // start address 0x0000
  out[3] = 0x00;
  out[4] = 0x00;  // 4 registers
  out[5] = 0x04;
  const uint16_t crc = Crc16Modbus(out, 6);
  out[6] = static_cast<uint8_t>(crc & 0xFFu);
  out[7] = static_cast<uint8_t>(crc >> 8);
}

BmsReply ParseBmsReply(const uint8_t* bytes, size_t len) {
  if (len == kExceptionReplyLen) {
    if (bytes[0] != kBmsSlaveAddress) return Rejected(BmsReplyStatus::kWrongAddress);
    if (bytes[1] != (kReadHoldingRegisters | 0x80u)) return Rejected(BmsReplyStatus::kWrongFunction);
    if (!CrcMatches(bytes, len)) return Rejected(BmsReplyStatus::kCrcError);
    BmsReply reply = Rejected(BmsReplyStatus::kException);
    reply.exception_code = bytes[2];
    return reply;
  }
  if (len != kBmsReplyLen) return Rejected(BmsReplyStatus::kBadLength);
  if (bytes[0] != kBmsSlaveAddress) return Rejected(BmsReplyStatus::kWrongAddress);
  if (bytes[1] != kReadHoldingRegisters) return Rejected(BmsReplyStatus::kWrongFunction);
  if (bytes[2] != 8) return Rejected(BmsReplyStatus::kWrongByteCount);
  if (!CrcMatches(bytes, len)) return Rejected(BmsReplyStatus::kCrcError);
  BmsReply reply;
  reply.status = BmsReplyStatus::kOk;
  reply.registers.voltage_dV = GetBigEndian(&bytes[3]);
  reply.registers.current_cA = static_cast<int16_t>(GetBigEndian(&bytes[5]));
  reply.registers.alarm_bits = GetBigEndian(&bytes[7]);
  reply.registers.temp_dC = static_cast<int16_t>(GetBigEndian(&bytes[9]));
  return reply;
}

}  // namespace packtwin::firmware
