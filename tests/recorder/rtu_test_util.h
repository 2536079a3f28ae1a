// Test helpers for Modbus RTU frames.
#pragma once

#include <string>

#include "packtwin/firmware/modbus_rtu.h"

namespace packtwin::testing {

// `body` followed by its CRC-16/MODBUS, low byte first.
inline std::string WithCrc(std::string body) {
  const uint16_t crc = firmware::Crc16Modbus(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  body.push_back(static_cast<char>(crc & 0xFF));
  body.push_back(static_cast<char>(crc >> 8));
  return body;
}

}  // namespace packtwin::testing
