#include "block_codec.h"

#include <cassert>

#include "packtwin/base/log_time_range.h"

namespace packtwin::eventlog::block {
namespace {

constexpr uint8_t kExtended = 1u << 0;
constexpr uint8_t kRtr = 1u << 1;
constexpr uint8_t kError = 1u << 2;
constexpr uint8_t kFd = 1u << 3;
constexpr int kDirectionShift = 4;  // two bits
constexpr uint8_t kOwnChannel = 1u << 6;
constexpr uint8_t kOwnDlc = 1u << 7;
constexpr int kMaxVarintBytes = 10;

void PutVarint(std::string* out, uint64_t value) {
  // Bounded: at most 10 bytes for 64 bits.
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

uint64_t ZigZag(int64_t value) { return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63); }
int64_t UnZigZag(uint64_t value) { return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1); }

bool GetVarint(std::string_view bytes, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (*pos >= bytes.size()) return false;
    const auto byte = static_cast<uint8_t>(bytes[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

void EncodeCan(const v1::CanFrame& f, std::string_view source, std::string* body) {
  uint8_t flags = static_cast<uint8_t>((f.extended() ? kExtended : 0) | (f.rtr() ? kRtr : 0) |
                                       (f.error() ? kError : 0) | (f.fd() ? kFd : 0) |
                                       ((static_cast<uint32_t>(f.direction()) & 3u) << kDirectionShift));
  const bool own_channel = f.channel() != source;
  const bool own_dlc = f.dlc() != f.data().size();
  if (own_channel) flags |= kOwnChannel;
  if (own_dlc) flags |= kOwnDlc;
  PutVarint(body, f.id());
  body->push_back(static_cast<char>(flags));
  if (f.fd()) PutVarint(body, f.fd_flags());
  if (own_dlc) PutVarint(body, f.dlc());
  if (own_channel) {
    PutVarint(body, f.channel().size());
    body->append(f.channel());
  }
  body->append(f.data());
}

bool DecodeCan(std::string_view body, std::string_view source, v1::CanFrame* f) {
  size_t pos = 0;
  uint64_t id = 0;
  if (!GetVarint(body, &pos, &id) || id > UINT32_MAX || pos >= body.size()) return false;
  const auto flags = static_cast<uint8_t>(body[pos++]);
  f->set_id(static_cast<uint32_t>(id));
  f->set_extended((flags & kExtended) != 0);
  f->set_rtr((flags & kRtr) != 0);
  f->set_error((flags & kError) != 0);
  f->set_fd((flags & kFd) != 0);
  f->set_direction(static_cast<v1::Direction>((flags >> kDirectionShift) & 3u));
  uint64_t value = 0;
  if ((flags & kFd) != 0 && (!GetVarint(body, &pos, &value) || value > UINT32_MAX)) return false;
  f->set_fd_flags(static_cast<uint32_t>(value));  // every field is set: `f` may be reused
  bool own_dlc = (flags & kOwnDlc) != 0;
  uint64_t dlc = 0;
  if (own_dlc && (!GetVarint(body, &pos, &dlc) || dlc > UINT32_MAX)) return false;
  if ((flags & kOwnChannel) != 0) {
    if (!GetVarint(body, &pos, &value) || value > body.size() - pos) return false;
    f->set_channel(body.data() + pos, value);
    pos += value;
  } else {
    f->set_channel(source.data(), source.size());
  }
  const std::string_view data = body.substr(pos);
  f->set_data(data.data(), data.size());
  f->set_dlc(own_dlc ? static_cast<uint32_t>(dlc) : static_cast<uint32_t>(data.size()));
  return true;
}

}  // namespace

void EncodeBody(const v1::Event& event, std::string_view source, std::string* body) {
  body->clear();
  if (event.kind_case() == v1::Event::kCanFrame) {
    EncodeCan(event.can_frame(), source, body);
    return;
  }
  assert(event.seq() == 0 && event.capture_time_ns() == 0 && event.wall_time_ns() == 0 && event.source().empty() &&
         "the header goes in the record, not the body");
  event.AppendToString(body);
}

void AppendRecord(int kind, int64_t wall_ns, int64_t capture_ns, int64_t source_id, int64_t previous_wall_ns,
                  std::string_view body, std::string* out) {
  out->push_back(static_cast<char>(kind));
  PutVarint(out, ZigZag(wall_ns - previous_wall_ns));
  PutVarint(out, ZigZag(capture_ns - wall_ns));
  PutVarint(out, static_cast<uint64_t>(source_id));
  PutVarint(out, body.size());
  out->append(body);
}

bool ReadRecord(std::string_view block, size_t* pos, int64_t previous_wall_ns, Record* out) {
  if (*pos >= block.size()) return false;
  const size_t start = *pos;
  out->kind = static_cast<uint8_t>(block[(*pos)++]);
  uint64_t wall_delta = 0, capture_delta = 0, source = 0, length = 0;
  if (!GetVarint(block, pos, &wall_delta) || !GetVarint(block, pos, &capture_delta) ||
      !GetVarint(block, pos, &source) || !GetVarint(block, pos, &length)) {
    return false;
  }
  if (length > block.size() - *pos || source > INT64_MAX) return false;
  // A hand-made block may hold deltas that overflow, or times no log holds
  // (base/log_time_range.h): damage, never a wrapped or unusable time.
  if (__builtin_add_overflow(previous_wall_ns, UnZigZag(wall_delta), &out->wall_ns) ||
      __builtin_add_overflow(out->wall_ns, UnZigZag(capture_delta), &out->capture_ns) ||
      !InLogTimeRange(out->wall_ns) || !InLogTimeRange(out->capture_ns)) {
    return false;
  }
  out->source_id = static_cast<int64_t>(source);
  out->body = block.substr(*pos, length);
  *pos += length;
  out->bytes = block.substr(start, *pos - start);
  return true;
}

bool DecodeBody(int kind, std::string_view body, std::string_view source, v1::Event* event) {
  if (kind == v1::Event::kCanFrame) return DecodeCan(body, source, event->mutable_can_frame());
  v1::Event parsed;
  if (!parsed.ParseFromArray(body.data(), static_cast<int>(body.size())) || parsed.kind_case() != kind) return false;
  const int64_t seq = static_cast<int64_t>(event->seq());
  const int64_t capture = event->capture_time_ns();
  const int64_t wall = event->wall_time_ns();
  std::string src = event->source();
  *event = std::move(parsed);
  event->set_seq(static_cast<uint64_t>(seq));
  event->set_capture_time_ns(capture);
  event->set_wall_time_ns(wall);
  event->set_source(std::move(src));
  return true;
}

}  // namespace packtwin::eventlog::block
