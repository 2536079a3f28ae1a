// The BMS polling state machine (bms-modbus.md): one request per 2 s cycle,
// 100 ms response timeout, a failed attempt retried 100 ms later, at most 3
// retries in a cycle; 3 failed cycles in a row raise BMS_COMM_LOST, the next
// good reply clears it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packtwin/firmware/modbus_rtu.h"

namespace packtwin::firmware {

inline constexpr uint64_t kBmsTimeoutMs = 100;
inline constexpr uint64_t kBmsRetryDelayMs = 100;
inline constexpr uint8_t kBmsMaxRetries = 3;
inline constexpr uint8_t kBmsFailedCyclesForLoss = 3;

struct BmsPoller {
  bool outstanding = false;   // a request waits for its reply
  uint64_t timeout_at_ms = 0;
  bool retry_pending = false;
  uint64_t retry_at_ms = 0;
  uint8_t attempts = 0;       // in the current cycle
  uint8_t failed_cycles = 0;  // in a row
  bool comm_lost = false;
  uint32_t good_replies = 0;
  uint32_t failed_attempts = 0;
  uint32_t stray_replies = 0;  // bytes with no request outstanding
};

enum class PollEvent : uint8_t {
  kNone,
  kGoodReply,      // registers are valid
  kAttemptFailed,  // a retry is scheduled
  kCycleFailed,    // no retry left; comm_lost may have changed
};

// Starts the cycle's first attempt; the caller sends the request.
void StartPollCycle(BmsPoller* poller, uint64_t now_ms);
// Sends the scheduled retry; the caller sends the request.
void StartRetry(BmsPoller* poller, uint64_t now_ms);
// A reply arrived: validates it and updates the machine.
PollEvent OnBmsBytes(BmsPoller* poller, const uint8_t* bytes, size_t len, uint64_t now_ms, BmsReply* reply);
// The outstanding request timed out at its deadline.
PollEvent OnBmsTimeout(BmsPoller* poller);

}  // namespace packtwin::firmware
