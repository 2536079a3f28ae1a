#include "packtwin/firmware/bms_poller.h"

namespace packtwin::firmware {
namespace {

void Send(BmsPoller* poller, uint64_t now_ms) {
  poller->outstanding = true;
  poller->timeout_at_ms = now_ms + kBmsTimeoutMs;
  poller->retry_pending = false;
  ++poller->attempts;
}

PollEvent AttemptFailed(BmsPoller* poller, uint64_t failed_at_ms) {
  poller->outstanding = false;
  ++poller->failed_attempts;
  if (poller->attempts <= kBmsMaxRetries) {
    poller->retry_pending = true;
    poller->retry_at_ms = failed_at_ms + kBmsRetryDelayMs;
    return PollEvent::kAttemptFailed;
  }
  if (poller->failed_cycles < UINT8_MAX) ++poller->failed_cycles;
  if (poller->failed_cycles >= kBmsFailedCyclesForLoss) poller->comm_lost = true;
  return PollEvent::kCycleFailed;
}

}  // namespace

void StartPollCycle(BmsPoller* poller, uint64_t now_ms) {
  poller->attempts = 0;
  Send(poller, now_ms);
}

void StartRetry(BmsPoller* poller, uint64_t now_ms) { Send(poller, now_ms); }

PollEvent OnBmsBytes(BmsPoller* poller, const uint8_t* bytes, size_t len, uint64_t now_ms, BmsReply* reply) {
  if (!poller->outstanding) {
    ++poller->stray_replies;
    return PollEvent::kNone;
  }
  *reply = ParseBmsReply(bytes, len);
  if (reply->status != BmsReplyStatus::kOk) return AttemptFailed(poller, now_ms);
  poller->outstanding = false;
  poller->failed_cycles = 0;
  poller->comm_lost = false;
  ++poller->good_replies;
  return PollEvent::kGoodReply;
}

PollEvent OnBmsTimeout(BmsPoller* poller) { return AttemptFailed(poller, poller->timeout_at_ms); }

}  // namespace packtwin::firmware
