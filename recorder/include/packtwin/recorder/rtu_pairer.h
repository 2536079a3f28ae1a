// Pairs the frames a tap saw into Modbus exchanges: each reply with the
// request before it (same slave, same function or its exception). A request
// with no reply is a timeout; a reply with no request is unpaired; a frame
// with a bad CRC is a CRC error; bytes that form no frame are malformed.
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
  // A request unanswered this long (from its last byte) has timed out.
  explicit RtuPairer(int64_t reply_timeout_ns) : reply_timeout_ns_(reply_timeout_ns) {}
  std::vector<RtuExchange> OnFrame(const RtuFrame& frame);
  std::vector<RtuExchange> Tick(int64_t now_ns);

 private:
  RtuExchange Settle(const std::string& request, const std::string& reply, v1::ModbusStatus status,
                     int64_t request_end_ns, int64_t at_ns) const;
  bool Answers(const RtuFrame& frame) const;

  int64_t reply_timeout_ns_;
  std::optional<RtuFrame> pending_;
};

}  // namespace packtwin::recorder
