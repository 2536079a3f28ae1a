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

namespace {

// CRC-16/MODBUS (reflected polynomial 0xA001, init 0xFFFF) a byte at a time
// from a 512-byte table built at compile time: eight times fewer steps than
// bit by bit, and the fixed poll request's CRC costs nothing at run time.
struct CrcTable {
  uint16_t entries[256];
};

constexpr CrcTable MakeCrcTable() {
  CrcTable table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte);
    for (int bit = 0; bit < 8; ++bit) crc = static_cast<uint16_t>((crc & 1u) != 0 ? (crc >> 1) ^ 0xA001u : crc >> 1);
    table.entries[byte] = crc;
  }
  return table;
}

constexpr CrcTable kCrcTable = MakeCrcTable();

constexpr uint16_t CrcFrom(uint16_t crc, const uint8_t* bytes, size_t len) {
  for (size_t i = 0; i < len; ++i) crc = static_cast<uint16_t>((crc >> 8) ^ kCrcTable.entries[(crc ^ bytes[i]) & 0xFFu]);
  return crc;
}

constexpr uint16_t CrcOf(const uint8_t* bytes, size_t len) { return CrcFrom(kCrc16ModbusInit, bytes, len); }

// Read Holding Registers, 4 registers from 0x0000, to the BMS (slave 1).
constexpr uint8_t kRequestBody[6] = {kBmsSlaveAddress, kReadHoldingRegisters, 0x00, 0x00, 0x00, 0x04};
constexpr uint16_t kRequestCrc = CrcOf(kRequestBody, 6);
static_assert(kRequestCrc == 0x0944, "01 03 00 00 00 04 -> CRC bytes 44 09 on the wire (bms-modbus.md)");

}  // namespace

uint16_t Crc16Modbus(const uint8_t* bytes, size_t len) { return CrcOf(bytes, len); }

uint16_t Crc16ModbusUpdate(uint16_t crc, const uint8_t* bytes, size_t len) { return CrcFrom(crc, bytes, len); }

namespace {
// Appends the CRC, low byte first, after `len` bytes.
void PutCrc(uint8_t* bytes, size_t len) {
  const uint16_t crc = CrcOf(bytes, len);
  bytes[len] = static_cast<uint8_t>(crc & 0xFFu);
  bytes[len + 1] = static_cast<uint8_t>(crc >> 8);
}
}  // namespace

void EncodeBmsReply(const BmsRegisters& registers, uint8_t out[kBmsReplyLen]) {
  out[0] = kBmsSlaveAddress;
  out[1] = kReadHoldingRegisters;
  out[2] = 8;
  const uint16_t values[4] = {registers.voltage_dV, static_cast<uint16_t>(registers.current_cA), registers.alarm_bits,
                              static_cast<uint16_t>(registers.temp_dC)};
  for (size_t i = 0; i < 4; ++i) {
    out[3 + 2 * i] = static_cast<uint8_t>(values[i] >> 8);
    out[4 + 2 * i] = static_cast<uint8_t>(values[i] & 0xFFu);
  }
  PutCrc(out, kBmsReplyLen - 2);
}

void EncodeExceptionReply(uint8_t function, uint8_t exception_code, uint8_t out[kExceptionReplyLen]) {
  out[0] = kBmsSlaveAddress;
  out[1] = static_cast<uint8_t>(function | 0x80u);
  out[2] = exception_code;
  PutCrc(out, kExceptionReplyLen - 2);
}

void BuildBmsRequest(uint8_t out[kBmsRequestLen]) {
  for (size_t i = 0; i < 6; ++i) out[i] = kRequestBody[i];
  out[6] = static_cast<uint8_t>(kRequestCrc & 0xFFu);
  out[7] = static_cast<uint8_t>(kRequestCrc >> 8);
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
