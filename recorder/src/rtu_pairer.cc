#include "packtwin/recorder/rtu_pairer.h"

namespace packtwin::recorder {
RtuExchange RtuPairer::Settle(const std::string& request, const std::string& reply, v1::ModbusStatus status,
                              int64_t request_end_ns, int64_t at_ns) const {
  RtuExchange out;
  out.exchange.set_request(request);
  out.exchange.set_reply(reply);
  out.exchange.set_status(status);
  if (!reply.empty() && !request.empty() && at_ns >= request_end_ns) {
    out.exchange.set_latency_us(static_cast<uint32_t>((at_ns - request_end_ns) / 1000));
  }
  out.at_ns = at_ns;
  return out;
}

// The pending request's reply comes from the same slave with the same
// function (or it with bit 7 set: an exception) and has a reply's length:
// a read reply carries a byte count, so a repeated read request is not one.
bool RtuPairer::Answers(const RtuFrame& frame) const {
  if (!pending_ || frame.bytes.size() < 3) return false;
  const std::string& request = pending_->bytes;
  if (RtuByte(frame.bytes, 0) != RtuByte(request, 0) || (RtuByte(frame.bytes, 1) & 0x7F) != RtuByte(request, 1)) return false;
  const uint8_t function = RtuByte(frame.bytes, 1);
  if ((function & 0x80) != 0) return frame.bytes.size() == 5;
  if (function >= 0x01 && function <= 0x04) return frame.bytes.size() == 5u + RtuByte(frame.bytes, 2);
  return true;  // writes answer with an echo of the same length
}

std::vector<RtuExchange> RtuPairer::OnFrame(const RtuFrame& frame) {
  std::vector<RtuExchange> out = Tick(frame.start_ns);
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
  if (Answers(frame)) {
    v1::ModbusStatus status = v1::MODBUS_OK;
    if (!frame.crc_ok) {
      status = v1::MODBUS_CRC_ERROR;
    } else if ((RtuByte(frame.bytes, 1) & 0x80) != 0) {
      status = v1::MODBUS_EXCEPTION;
    }
    out.push_back(Settle(pending_->bytes, frame.bytes, status, pending_->end_ns, frame.end_ns));
    pending_.reset();
    return out;
  }
  const bool is_reply_shape = (RtuByte(frame.bytes, 1) & 0x80) != 0;
  if (is_reply_shape) {
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

std::vector<RtuExchange> RtuPairer::Tick(int64_t now_ns) {
  std::vector<RtuExchange> out;
  if (pending_ && now_ns - pending_->end_ns >= reply_timeout_ns_) {
    out.push_back(Settle(pending_->bytes, "", v1::MODBUS_TIMEOUT, pending_->end_ns, pending_->end_ns + reply_timeout_ns_));
    pending_.reset();
  }
  return out;
}

}  // namespace packtwin::recorder
