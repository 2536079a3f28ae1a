// CAN data length codes (ISO 11898-1 and -7).
#pragma once

#include <cstdint>

namespace packtwin::eventlog {

inline constexpr uint32_t kClassicMaxLen = 8;
inline constexpr uint32_t kFdMaxLen = 64;
inline constexpr uint32_t kMaxDlc = 15;

// Payload length of an FD data length code; DLC > 15 is the caller's bug.
uint32_t FdDlcToLen(uint32_t dlc);
// Smallest FD DLC whose payload holds len bytes; nullopt-like kMaxDlc + 1 when
// len is not an exact FD length (FD lengths are 0..8, 12, 16, 20, 24, 32, 48, 64).
uint32_t FdLenToDlc(uint32_t len);
bool IsFdLength(uint32_t len);

// Payload bytes a classic data frame carries for a DLC: DLC 9..15 carry 8.
inline constexpr uint32_t ClassicDlcToLen(uint32_t dlc) { return dlc > 8 ? 8 : dlc; }

}  // namespace packtwin::eventlog
