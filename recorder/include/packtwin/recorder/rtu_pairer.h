// Pairs the frames a tap saw into Modbus exchanges: each reply with the
// outstanding request it answers (same slave, same function or its
// exception), whenever it comes before the next request. A request the next
// request finds unanswered is a timeout; a reply no request asked for
// (another slave, another function) is unpaired and leaves the request
// waiting; a frame with a bad CRC is a CRC error; bytes that form no frame
// are malformed.
//
// The reply window decides only what a late answer is called: a frame that
// can only be a reply is paired after the window too (MODBUS_LATE_REPLY,
// with its latency), but a frame that could be either (an echo of a single
// write) is, after the window, the master's retry: a new request.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "packtwin/recorder/rtu_splitter.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::recorder {

struct RtuExchange {
  v1::ModbusExchange exchange;  // port and transport left for the caller
  int64_t at_ns = 0;            // when it was settled
};

class RtuPairer {
 public:
  explicit RtuPairer(int64_t reply_window_ns) : reply_window_ns_(reply_window_ns) {}
  std::vector<RtuExchange> OnFrame(const RtuFrame& frame);
  // The recording stops at `now_ns`: a request still waiting is recorded,
  // as pending at stop within its window and as a timeout after it.
  std::vector<RtuExchange> Drain(int64_t now_ns);

 private:
  RtuExchange Settle(const std::string& request, const std::string& reply, v1::ModbusStatus status,
                     int64_t request_end_ns, int64_t at_ns) const;
  bool Answers(const RtuFrame& frame, bool can_be_request) const;
  v1::ModbusStatus ReplyStatus(const RtuFrame& frame) const;

  int64_t reply_window_ns_;
  std::optional<RtuFrame> pending_;
};

}  // namespace packtwin::recorder
