// Modbus RTU framing for the BMS poll (bms-modbus.md): CRC-16/MODBUS (init
// 0xFFFF, reflected poly 0xA001, low byte first on the wire), the Read Holding
// Registers request, and reply validation in the spec's order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace packtwin::firmware {

inline constexpr uint8_t kBmsSlaveAddress = 0x01;
inline constexpr uint8_t kReadHoldingRegisters = 0x03;
inline constexpr size_t kBmsRequestLen = 8;
inline constexpr size_t kBmsReplyLen = 13;
inline constexpr size_t kExceptionReplyLen = 5;

uint16_t Crc16Modbus(const uint8_t* bytes, size_t len);
// The same CRC carried on over more bytes: Crc16Modbus(a ++ b) ==
// Crc16ModbusUpdate(Crc16Modbus(a), b). Start from kCrc16ModbusInit.
inline constexpr uint16_t kCrc16ModbusInit = 0xFFFF;
uint16_t Crc16ModbusUpdate(uint16_t crc, const uint8_t* bytes, size_t len);

// `01 03 00 00 00 04 44 09`: 4 registers from 0x0000.
void BuildBmsRequest(uint8_t out[kBmsRequestLen]);

enum class BmsReplyStatus : uint8_t {
  kOk,
  kBadLength,      // short or extra bytes
  kWrongAddress,
  kWrongFunction,
  kWrongByteCount,
  kCrcError,
  kException,      // a well-formed exception reply; `exception_code` says which
};

struct BmsRegisters {
  uint16_t voltage_dV = 0;   // 0.1 V
  int16_t current_cA = 0;    // 0.01 A, + = charging
  uint16_t alarm_bits = 0;
  int16_t temp_dC = 0;       // 0.1 degC
};

struct BmsReply {
  BmsReplyStatus status = BmsReplyStatus::kBadLength;
  uint8_t exception_code = 0;
  BmsRegisters registers;
};

// The BMS's side of the exchange, for the simulator, the BMS emulator and
// tests (the encoder beside the parser, so the two cannot drift): a good
// reply carrying `registers`, and an exception reply (`01 83 code CRC`).
void EncodeBmsReply(const BmsRegisters& registers, uint8_t out[kBmsReplyLen]);
void EncodeExceptionReply(uint8_t function, uint8_t exception_code, uint8_t out[kExceptionReplyLen]);

// Validates, in order: length, slave address, function, byte count 8, CRC.
// An exception reply (`01 83 code CRClo CRChi`) is checked for address,
// function and CRC before its code is believed.
BmsReply ParseBmsReply(const uint8_t* bytes, size_t len);

}  // namespace packtwin::firmware
