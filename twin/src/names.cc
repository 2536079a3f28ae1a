#include "packtwin/twin/names.h"

#include <fmt/format.h>

#include <array>

namespace packtwin::twin {
namespace {

template <size_t N>
const char* Pick(const std::array<const char*, N>& names, size_t index) {
  return index < N ? names[index] : "unknown";
}

}  // namespace

const char* RelayName(uint8_t relay) {
  return Pick(std::array<const char*, 4>{"grid", "inverter output", "pool pump", "water heater"}, relay);
}
const char* CauseName(uint8_t cause) {
  return Pick(std::array<const char*, 8>{"boot", "self-consumption", "eco", "time of use", "backup", "lockout",
                                         "manual", "default"},
              cause);
}
const char* ModeName(uint8_t mode_bit) {
  return Pick(std::array<const char*, 5>{"self-consumption", "eco", "time of use", "backup", "grid import limit"},
              mode_bit);
}
const char* AlarmName(uint8_t code) {
  return Pick(std::array<const char*, 7>{"?", "BMS_ALARM_BITS", "BMS_COMM_LOST", "TIME_INVALID", "NODE_ID_CONFLICT",
                                         "ECO_OVERLOAD", "LOCKOUT"},
              code);
}
const char* CommandName(uint8_t cmd) {
  if (cmd < 0x10) return "UNKNOWN_COMMAND";
  return Pick(std::array<const char*, 7>{"SET_MODE", "SET_ECO_LIMIT", "SET_GRID_BUDGET", "SET_TOU_WINDOW", "SET_RELAY",
                                         "RESET_GRID_ENERGY", "REQUEST_STATUS"},
              static_cast<size_t>(cmd - 0x10));
}
const char* AckStatusName(uint8_t status) {
  return Pick(std::array<const char*, 5>{"OK", "UNKNOWN_COMMAND", "BAD_LENGTH", "OUT_OF_RANGE", "REJECTED"}, status);
}
const char* DeviceTypeName(uint8_t type) {
  return Pick(std::array<const char*, 5>{"unknown", "Energy-Pack", "Energy-Gateway", "Bridge", "Display"}, type);
}
const char* RoleName(uint8_t role) { return Pick(std::array<const char*, 3>{"slave", "master", "observer"}, role); }
std::string NodeName(uint8_t node) { return fmt::format("0x{:02X}", node); }

}  // namespace packtwin::twin
