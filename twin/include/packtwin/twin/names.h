// Words for protocol values, for timelines and state reports.
#pragma once

#include <cstdint>
#include <string>

namespace packtwin::twin {

const char* RelayName(uint8_t relay);       // "grid", "inverter output", "pool pump", "water heater"
const char* CauseName(uint8_t cause);       // "boot", "self-consumption", "eco", ...
const char* ModeName(uint8_t mode_bit);     // bit index 0..4
const char* AlarmName(uint8_t code);        // "BMS_COMM_LOST", ...
const char* CommandName(uint8_t cmd);       // "SET_MODE", ...
const char* AckStatusName(uint8_t status);  // "OK", "REJECTED", ...
const char* DeviceTypeName(uint8_t type);   // "Energy-Pack", ...
const char* RoleName(uint8_t role);         // "slave", "master", "observer"
std::string NodeName(uint8_t node);         // "0x2A"

}  // namespace packtwin::twin
