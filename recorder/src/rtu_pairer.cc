#include "packtwin/recorder/rtu_pairer.h"

#include "packtwin/recorder/rtu_shapes.h"

namespace packtwin::recorder {

RtuExchange RtuPairer::Settle(const std::string& request, const std::string& reply, v1::ModbusStatus status,
                              int64_t request_end_ns, int64_t at_ns) const {
  RtuExchange out;
  out.exchange.set_request(request);
  out.exchange.set_reply(reply);
  out.exchange.set_status(status);
  if (!reply.empty() && !request.empty() && at_ns >= request_end_ns) {
    const int64_t latency_us = (at_ns - request_end_ns) / 1000;
    out.exchange.set_latency_us(latency_us > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(latency_us));
  }
  out.at_ns = at_ns;
  return out;
}

// The waiting request's reply comes from the same slave with the same
// function (or it with bit 7 set: an exception) and has a reply's shape. A
// frame that could also be a request (an echo) answers only within the
// window; later it is the master trying again.
bool RtuPairer::Answers(const RtuFrame& frame, bool can_be_request) const {
  if (!pending_ || frame.bytes.size() < 2) return false;
  const std::string& request = pending_->bytes;
  if (RtuByte(frame.bytes, 0) != RtuByte(request, 0) || (RtuByte(frame.bytes, 1) & 0x7F) != RtuByte(request, 1)) {
    return false;
  }
  return !can_be_request || frame.end_ns - pending_->end_ns <= reply_window_ns_;
}

v1::ModbusStatus RtuPairer::ReplyStatus(const RtuFrame& frame) const {
  if (!frame.crc_ok) return v1::MODBUS_CRC_ERROR;
  if (frame.end_ns - pending_->end_ns > reply_window_ns_) return v1::MODBUS_LATE_REPLY;
  return (RtuByte(frame.bytes, 1) & 0x80) != 0 ? v1::MODBUS_EXCEPTION : v1::MODBUS_OK;
}

std::vector<RtuExchange> RtuPairer::OnFrame(const RtuFrame& frame) {
  std::vector<RtuExchange> out;
  if (!frame.complete) {
    // Garbled or truncated: a reply gone wrong if a request waits, else noise.
    if (pending_) {
      out.push_back(Settle(pending_->bytes, frame.bytes, v1::MODBUS_MALFORMED, pending_->end_ns, frame.end_ns));
      pending_.reset();
    } else {
      out.push_back(Settle(frame.bytes, "", v1::MODBUS_MALFORMED, 0, frame.end_ns));
    }
    return out;
  }
  const RtuRoles roles = RtuRolesOf(frame.bytes);
  if (roles.reply && Answers(frame, roles.request)) {
    out.push_back(Settle(pending_->bytes, frame.bytes, ReplyStatus(frame), pending_->end_ns, frame.end_ns));
    pending_.reset();
    return out;
  }
  if (!roles.request) {
    // Only a reply can look like this: nobody asked for it (another slave,
    // another function); the waiting request may still get its own.
    out.push_back(Settle("", frame.bytes, v1::MODBUS_UNPAIRED, 0, frame.end_ns));
    return out;
  }
  // A new request: one still waiting never got its reply.
  if (pending_) out.push_back(Settle(pending_->bytes, "", v1::MODBUS_TIMEOUT, pending_->end_ns, frame.start_ns));
  pending_.reset();
  if (!frame.crc_ok) {
    out.push_back(Settle(frame.bytes, "", v1::MODBUS_CRC_ERROR, frame.end_ns, frame.end_ns));
    return out;
  }
  pending_ = frame;
  return out;
}

std::vector<RtuExchange> RtuPairer::Drain(int64_t now_ns) {
  std::vector<RtuExchange> out;
  if (!pending_) return out;
  const bool waited_out = now_ns - pending_->end_ns > reply_window_ns_;
  out.push_back(Settle(pending_->bytes, "", waited_out ? v1::MODBUS_TIMEOUT : v1::MODBUS_PENDING_AT_STOP,
                       pending_->end_ns, now_ns));
  pending_.reset();
  return out;
}

}  // namespace packtwin::recorder
