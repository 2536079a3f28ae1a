// Constants of Alfaspark protocol v1 and firmware 2.6 (can-protocol.md,
// pack-behaviour.md). Bit positions and codes are the wire values.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

// Relays, by id.
inline constexpr uint8_t kRelayGrid = 0;
inline constexpr uint8_t kRelayInverter = 1;
inline constexpr uint8_t kRelayPool = 2;
inline constexpr uint8_t kRelayHeater = 3;
inline constexpr uint8_t kRelayCount = 4;

// `modes` bits; SET_MODE's mode number is bit + 1.
inline constexpr uint8_t kModeSelfConsumption = 1u << 0;
inline constexpr uint8_t kModeEco = 1u << 1;
inline constexpr uint8_t kModeTimeOfUse = 1u << 2;
inline constexpr uint8_t kModeBackup = 1u << 3;
inline constexpr uint8_t kModeGridLimit = 1u << 4;
inline constexpr uint8_t kModeCount = 5;

// `status` bits of TEL_BATT.
inline constexpr uint8_t kStatusLockout = 1u << 0;
inline constexpr uint8_t kStatusEcoOverload = 1u << 1;
inline constexpr uint8_t kStatusBmsCommLost = 1u << 2;
inline constexpr uint8_t kStatusBmsAlarm = 1u << 3;
inline constexpr uint8_t kStatusTimeUnsynced = 1u << 4;
inline constexpr uint8_t kStatusMaster = 1u << 5;

enum class Role : uint8_t { kSlave = 0, kMaster = 1, kObserver = 2 };
enum class DeviceType : uint8_t { kEnergyPack = 1, kEnergyGateway = 2, kBridge = 3, kDisplay = 4 };

enum class RelayCause : uint8_t {
  kBoot = 0,
  kSelfConsumption = 1,
  kEco = 2,
  kTimeOfUse = 3,
  kBackup = 4,
  kLockout = 5,
  kManual = 6,
  kDefault = 7,
};

enum class AlarmCode : uint8_t {
  kBmsAlarmBits = 1,
  kBmsCommLost = 2,
  kTimeInvalid = 3,
  kNodeIdConflict = 4,
  kEcoOverload = 5,
  kLockout = 6,
};

enum class Command : uint8_t {
  kSetMode = 0x10,
  kSetEcoLimit = 0x11,
  kSetGridBudget = 0x12,
  kSetTouWindow = 0x13,
  kSetRelay = 0x14,
  kResetGridEnergy = 0x15,
  kRequestStatus = 0x16,
};

enum class AckStatus : uint8_t {
  kOk = 0,
  kUnknownCommand = 1,
  kBadLength = 2,
  kOutOfRange = 3,
  kRejected = 4,
};

inline constexpr uint8_t kManualClear = 0xFF;  // SET_RELAY state: clear the override

// Firmware identity.
inline constexpr uint8_t kFirmwareMajor = 2;
inline constexpr uint8_t kFirmwareMinor = 6;

}  // namespace packtwin::firmware
