#include "packtwin/recorder/rtu_shapes.h"

namespace packtwin::recorder {
namespace {

uint8_t At(std::string_view bytes, size_t i) { return static_cast<uint8_t>(bytes[i]); }

// Adds address + PDU + CRC = `fixed` + the count byte at `count_at`, or says
// more bytes are needed to know it.
void AddCounted(RtuShapes& out, std::string_view head, size_t count_at, size_t fixed, RtuRole role) {
  if (head.size() <= count_at) {
    out.need_more = true;
    return;
  }
  out.shapes.push_back({fixed + At(head, count_at), role});
}

// Read Device Identification reply (MEI 14): an 8-byte header, then `count`
// objects of id, length and value, then the CRC.
void AddDeviceIdReply(RtuShapes& out, std::string_view head) {
  if (head.size() < 8) {
    out.need_more = true;
    return;
  }
  const size_t objects = At(head, 7);
  size_t at = 8;
  for (size_t i = 0; i < objects; ++i) {  // bounded: at most 255 objects
    if (head.size() < at + 2) {
      out.need_more = true;
      return;
    }
    at += 2 + At(head, at + 1);
    if (at + 2 > kMaxRtuFrameBytes) return;  // cannot be a frame
  }
  out.shapes.push_back({at + 2, RtuRole::kReply});
}

void AddEncapsulated(RtuShapes& out, std::string_view head) {
  if (head.size() < 3) {
    out.need_more = true;
    return;
  }
  if (At(head, 2) != 0x0E) {  // CANopen general reference (13) and others: no length rule
    out.open_ended = true;
    return;
  }
  out.shapes.push_back({7, RtuRole::kRequest});
  AddDeviceIdReply(out, head);
}

}  // namespace

RtuShapes RtuShapesOf(std::string_view head) {
  RtuShapes out;
  if (head.size() < 2) {
    out.need_more = true;
    return out;
  }
  const uint8_t function = At(head, 1);
  if ((function & 0x80) != 0) {
    out.shapes.push_back({5, RtuRole::kReply});  // exception: address, function | 0x80, code, CRC
    return out;
  }
  switch (function) {
    case 0x01: case 0x02: case 0x03: case 0x04:  // reads: address, quantity; reply byte count
      out.shapes.push_back({8, RtuRole::kRequest});
      AddCounted(out, head, 2, 5, RtuRole::kReply);
      break;
    case 0x05: case 0x06:  // single writes: the reply echoes the request
      out.shapes.push_back({8, RtuRole::kEither});
      break;
    case 0x07:  // read exception status: empty request, one status byte
      out.shapes.push_back({4, RtuRole::kRequest});
      out.shapes.push_back({5, RtuRole::kReply});
      break;
    case 0x08:  // diagnostics: sub-function and data, echoed; "return query data" may carry more
      out.shapes.push_back({8, RtuRole::kEither});
      out.open_ended = true;
      break;
    case 0x0B:  // get comm event counter: status and count
      out.shapes.push_back({4, RtuRole::kRequest});
      out.shapes.push_back({8, RtuRole::kReply});
      break;
    case 0x0C: case 0x11:  // get comm event log, report server id: byte-counted reply
      out.shapes.push_back({4, RtuRole::kRequest});
      AddCounted(out, head, 2, 5, RtuRole::kReply);
      break;
    case 0x0F: case 0x10:  // multiple writes: byte-counted request, fixed reply
      out.shapes.push_back({8, RtuRole::kReply});
      AddCounted(out, head, 6, 9, RtuRole::kRequest);
      break;
    case 0x14: case 0x15:  // file records: byte count both ways (write echoes)
      AddCounted(out, head, 2, 5, RtuRole::kEither);
      break;
    case 0x16:  // mask write register: reference, AND, OR, echoed
      out.shapes.push_back({10, RtuRole::kEither});
      break;
    case 0x17:  // read/write multiple registers: write byte count at 10; reply byte-counted
      AddCounted(out, head, 10, 13, RtuRole::kRequest);
      AddCounted(out, head, 2, 5, RtuRole::kReply);
      break;
    case 0x18:  // read FIFO queue: pointer; reply with a two-byte byte count
      out.shapes.push_back({6, RtuRole::kRequest});
      if (head.size() < 4) {
        out.need_more = true;
      } else {
        out.shapes.push_back({6 + (static_cast<size_t>(At(head, 2)) << 8 | At(head, 3)), RtuRole::kReply});
      }
      break;
    case 0x2B:
      AddEncapsulated(out, head);
      break;
    default:
      // User-defined codes have no length rule: silence and the CRC end
      // them. Any other code (0, reserved) starts no frame: garbled bytes.
      out.open_ended = (function >= 65 && function <= 72) || (function >= 100 && function <= 110);
      break;
  }
  return out;
}

RtuRoles RtuRolesOf(std::string_view frame) {
  RtuRoles roles;
  const RtuShapes shapes = RtuShapesOf(frame);
  bool matched = false;
  for (const RtuShape& shape : shapes.shapes) {
    if (shape.length != frame.size()) continue;
    matched = true;
    roles.request = roles.request || shape.role != RtuRole::kReply;
    roles.reply = roles.reply || shape.role != RtuRole::kRequest;
  }
  if (!matched && shapes.open_ended) roles = {true, true};
  return roles;
}

}  // namespace packtwin::recorder
