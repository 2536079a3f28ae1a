#include "packtwin/eventlog/can_dlc.h"

#include <array>
#include <cassert>

namespace packtwin::eventlog {
namespace {
constexpr std::array<uint32_t, 16> kFdLengths = {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64};
}

uint32_t FdDlcToLen(uint32_t dlc) {
  assert(dlc <= kMaxDlc);
  return kFdLengths[dlc];
}

uint32_t FdLenToDlc(uint32_t len) {
  for (uint32_t dlc = 0; dlc <= kMaxDlc; ++dlc) {
    if (kFdLengths[dlc] == len) return dlc;
  }
  return kMaxDlc + 1;
}

bool IsFdLength(uint32_t len) { return FdLenToDlc(len) <= kMaxDlc; }

}  // namespace packtwin::eventlog
