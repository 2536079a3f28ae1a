#include "packtwin/eventlog/candump_format.h"

#include <fmt/format.h>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr uint32_t kErrorFlag = 0x20000000;
constexpr uint32_t kExtendedIdMax = 0x1FFFFFFF;
constexpr uint32_t kStandardIdMax = 0x7FF;
constexpr uint64_t kMaxSeconds = 9'000'000'000;  // keeps ns inside int64
constexpr size_t kMaxInterfaceChars = 64;

struct Failure {
  ParseError error;
};

// Reads exactly `count` hex digits as one value.
std::optional<uint32_t> HexNumber(TextCursor& cur, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; ++i) {
    auto digit = cur.HexDigit();
    if (!digit) return std::nullopt;
    value = (value << 4) | *digit;
  }
  return value;
}

struct Stamp {
  int64_t time_ns = 0;
  int decimals = 6;
  size_t padded_width = 0;  // seconds digits when they start with a padding zero
};

// "(SEC.FRAC)": ns, the number of decimals (6 or 9) and the seconds' padding.
std::variant<Stamp, ParseError> ParseTimestamp(TextCursor& cur) {
  if (!cur.Consume('(')) return cur.Error("'(' opening the timestamp");
  const bool zero_first = cur.Peek() == '0';
  size_t digits = 0;
  auto seconds = cur.Decimal(11, &digits);
  if (!seconds) return cur.Error("the timestamp's seconds");
  if (*seconds > kMaxSeconds) return cur.ErrorAt(cur.position() - digits, "seconds below 9000000000");
  if (!cur.Consume('.')) return cur.Error("'.' in the timestamp");
  const size_t frac_pos = cur.position();
  size_t frac_digits = 0;
  auto fraction = cur.Decimal(10, &frac_digits);
  if (!fraction || (frac_digits != 6 && frac_digits != 9)) {
    return cur.ErrorAt(frac_pos, "6 or 9 decimal digits after the seconds");
  }
  if (!cur.Consume(')')) return cur.Error("')' closing the timestamp");
  const int64_t frac_ns = static_cast<int64_t>(frac_digits == 6 ? *fraction * 1000 : *fraction);
  return Stamp{static_cast<int64_t>(*seconds) * 1'000'000'000 + frac_ns, static_cast<int>(frac_digits),
               zero_first && digits > 1 ? digits : 0};
}

// Payload hex pairs, '.' separators allowed between bytes (can-utils accepts them).
std::optional<ParseError> ParseData(TextCursor& cur, uint32_t max_len, std::string* data) {
  while (!cur.AtEnd() && cur.Peek() != ' ' && cur.Peek() != '_') {
    if (cur.Consume('.')) continue;
    if (data->size() >= max_len) {
      return cur.Error(fmt::format("at most {} data bytes", max_len));
    }
    const size_t pos = cur.position();
    auto hi = cur.HexDigit();
    auto lo = hi ? cur.HexDigit() : std::nullopt;
    if (!hi || !lo) return cur.ErrorAt(pos, "data as pairs of hex digits");
    data->push_back(static_cast<char>((*hi << 4) | *lo));
  }
  return std::nullopt;
}

// "_X": the raw DLC 9..F of a classic frame carrying 8 bytes.
std::optional<ParseError> ParseRawDlc(TextCursor& cur, uint32_t len, v1::CanFrame* frame) {
  if (!cur.Consume('_')) return std::nullopt;
  const size_t pos = cur.position() - 1;
  if (len != kClassicMaxLen) return cur.ErrorAt(pos, "a raw DLC '_9'..'_F' only after 8 data bytes");
  auto dlc = cur.HexDigit();
  if (!dlc || *dlc < 9) return cur.ErrorAt(pos + 1, "a raw DLC digit 9..F");
  frame->set_dlc(*dlc);
  return std::nullopt;
}

std::optional<ParseError> ParseRemote(TextCursor& cur, v1::CanFrame* frame) {
  frame->set_rtr(true);
  uint32_t len = 0;
  if (cur.Peek() >= '0' && cur.Peek() <= '9') {
    len = static_cast<uint32_t>(cur.Peek() - '0');
    if (len > kClassicMaxLen) return cur.Error("a remote frame length 0..8");
    cur.Advance();
  }
  frame->set_dlc(len);
  return ParseRawDlc(cur, len, frame);
}

std::optional<ParseError> ParseFd(TextCursor& cur, v1::CanFrame* frame) {
  frame->set_fd(true);
  auto flags = cur.HexDigit();
  if (!flags) return cur.Error("a CAN FD flags digit after '##'");
  frame->set_fd_flags(*flags);
  const size_t data_pos = cur.position();
  std::string data;
  if (auto error = ParseData(cur, kFdMaxLen, &data)) return error;
  const auto len = static_cast<uint32_t>(data.size());
  if (!IsFdLength(len)) {
    return cur.ErrorAt(data_pos, "a CAN FD length (0..8, 12, 16, 20, 24, 32, 48 or 64 bytes)");
  }
  frame->set_dlc(FdLenToDlc(len));
  frame->set_data(std::move(data));
  return std::nullopt;
}

std::optional<ParseError> ParseIdentifier(TextCursor& cur, v1::CanFrame* frame) {
  const size_t start = cur.position();
  size_t digits = 0;
  while (HexValue(cur.Peek(digits)) && digits < 9) ++digits;
  if (cur.Peek(digits) != '#' || (digits != 3 && digits != 8)) {
    return cur.ErrorAt(start, "a CAN id of 3 or 8 hex digits followed by '#'");
  }
  const uint32_t id = *HexNumber(cur, static_cast<int>(digits));
  if (digits == 3) {
    if (id > kStandardIdMax) return cur.ErrorAt(start, "a standard CAN id 000..7FF");
    frame->set_id(id);
  } else if ((id & kErrorFlag) != 0) {
    if (id > (kErrorFlag | kExtendedIdMax)) return cur.ErrorAt(start, "an error frame id 20000000..3FFFFFFF");
    frame->set_error(true);
    frame->set_id(id & kExtendedIdMax);
  } else {
    if (id > kExtendedIdMax) return cur.ErrorAt(start, "an extended CAN id 00000000..1FFFFFFF");
    frame->set_extended(true);
    frame->set_id(id);
  }
  cur.Advance();  // '#'
  return std::nullopt;
}

std::optional<ParseError> ParseFrame(TextCursor& cur, v1::CanFrame* frame) {
  if (auto error = ParseIdentifier(cur, frame)) return error;
  if (cur.Peek() == 'R' || cur.Peek() == 'r') {
    if (frame->error()) return cur.Error("error frame data, not a remote request");
    cur.Advance();
    return ParseRemote(cur, frame);
  }
  if (cur.Consume('#')) {
    if (frame->error()) return cur.ErrorAt(cur.position() - 1, "error frame data, not CAN FD");
    return ParseFd(cur, frame);
  }
  std::string data;
  if (auto error = ParseData(cur, kClassicMaxLen, &data)) return error;
  const auto len = static_cast<uint32_t>(data.size());
  frame->set_dlc(len);
  frame->set_data(std::move(data));
  return ParseRawDlc(cur, len, frame);
}

std::optional<ParseError> ParseDirection(TextCursor& cur, v1::CanFrame* frame) {
  if (cur.AtEnd()) return std::nullopt;
  if (!cur.Consume(' ')) return cur.Error("end of line or ' R' / ' T'");
  if (cur.Consume('R')) {
    frame->set_direction(v1::DIRECTION_RX);
  } else if (cur.Consume('T')) {
    frame->set_direction(v1::DIRECTION_TX);
  } else {
    return cur.Error("direction 'R' or 'T'");
  }
  if (!cur.AtEnd()) return cur.Error("end of line after the direction");
  return std::nullopt;
}

CandumpParse ParseFrameLine(TextCursor& cur) {
  CandumpFrameLine out;
  auto stamp = ParseTimestamp(cur);
  if (auto* error = std::get_if<ParseError>(&stamp)) return *error;
  const Stamp& parsed = std::get<Stamp>(stamp);
  out.time_ns = parsed.time_ns;
  out.timestamp_digits = parsed.decimals;
  out.seconds_width = parsed.padded_width;
  if (!cur.Consume(' ')) return cur.Error("a space after the timestamp");
  const size_t field_start = cur.position();
  cur.SkipSpaces();
  const size_t name_pos = cur.position();
  std::string_view name = cur.Token();
  if (name.empty()) return cur.ErrorAt(name_pos, "an interface name");
  if (name.size() > kMaxInterfaceChars) return cur.ErrorAt(name_pos, "an interface name of at most 64 characters");
  out.interface_width = cur.position() - field_start;
  out.frame.set_channel(std::string(name));
  if (!cur.Consume(' ')) return cur.Error("a space after the interface name");
  if (auto error = ParseFrame(cur, &out.frame)) return *error;
  if (auto error = ParseDirection(cur, &out.frame)) return *error;
  return CandumpLine{std::move(out)};
}

// "DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 7)"
CandumpParse ParseDropLine(TextCursor& cur) {
  CandumpDropLine out;
  cur.Consume("DROPCOUNT: ");
  if (!cur.Consume("dropped ")) return cur.Error("'dropped '");
  auto frames = cur.Decimal(10);
  if (!frames) return cur.Error("the number of dropped frames");
  out.frames_lost = *frames;
  if (!cur.Consume(" CAN frame")) return cur.Error("' CAN frame'");
  cur.Consume('s');
  if (!cur.Consume(" on '")) return cur.Error("\" on '\"");
  const size_t name_start = cur.position();
  const std::string_view rest = cur.Rest();
  const size_t name_chars = rest.find('\'');
  if (name_chars == 0 || name_chars == std::string_view::npos || name_chars > kMaxInterfaceChars) {
    return cur.Error("an interface name in quotes");
  }
  out.interface = std::string(rest.substr(0, name_chars));
  cur.Seek(name_start + name_chars);
  if (!cur.Consume("' socket (total drops ")) return cur.Error("\"' socket (total drops \"");
  auto total = cur.Decimal(10);
  if (!total) return cur.Error("the total drop count");
  out.total_lost = *total;
  if (!cur.Consume(')') || !cur.AtEnd()) return cur.Error("')' ending the line");
  return CandumpLine{std::move(out)};
}

}  // namespace

CandumpParse ParseCandumpLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  TextCursor cur(line);
  cur.SkipSpaces();
  if (cur.AtEnd()) return CandumpLine{CandumpBlankLine{}};
  if (cur.Rest().starts_with("DROPCOUNT: ")) return ParseDropLine(cur);
  return ParseFrameLine(cur);
}

std::string FormatCandumpFrame(const v1::CanFrame& frame) {
  if (frame.error()) {
    // As can-utils writes error frames: class bits in the id, always 8 data
    // bytes, never FD (SocketCAN has no FD error frame).
    std::string out = fmt::format("{:08X}#", frame.id() | kErrorFlag);
    std::string data = frame.data().substr(0, kClassicMaxLen);
    data.resize(kClassicMaxLen, '\0');
    for (unsigned char byte : data) out += fmt::format("{:02X}", byte);
    return out;
  }
  std::string out = frame.extended() ? fmt::format("{:08X}#", frame.id()) : fmt::format("{:03X}#", frame.id());
  if (frame.rtr()) {
    const uint32_t len = ClassicDlcToLen(frame.dlc());
    out += 'R';
    if (len > 0) out += fmt::format("{}", len);
    if (frame.dlc() > kClassicMaxLen) out += fmt::format("_{:X}", frame.dlc());
    return out;
  }
  if (frame.fd()) out += fmt::format("#{:X}", frame.fd_flags() & 0xF);
  for (unsigned char byte : frame.data()) out += fmt::format("{:02X}", byte);
  if (!frame.fd() && frame.dlc() > kClassicMaxLen) out += fmt::format("_{:X}", frame.dlc());
  return out;
}

std::string FormatCandumpLine(int64_t time_ns, const CandumpStyle& style, const v1::CanFrame& frame) {
  const int64_t seconds = time_ns / 1'000'000'000;
  const int64_t frac_ns = time_ns % 1'000'000'000;
  std::string stamp = style.timestamp_digits == 9
                          ? fmt::format("({:0{}d}.{:09d})", seconds, style.seconds_width, frac_ns)
                          : fmt::format("({:0{}d}.{:06d})", seconds, style.seconds_width, frac_ns / 1000);
  const char* direction = frame.direction() == v1::DIRECTION_RX   ? " R"
                          : frame.direction() == v1::DIRECTION_TX ? " T"
                                                                  : "";
  return fmt::format("{} {:>{}} {}{}\n", stamp, frame.channel(), style.interface_width, FormatCandumpFrame(frame),
                     direction);
}

std::string FormatCandumpDropLine(const CandumpDropLine& drop) {
  return fmt::format("DROPCOUNT: dropped {} CAN frame{} on '{}' socket (total drops {})\n", drop.frames_lost,
                     drop.frames_lost > 1 ? "s" : "", drop.interface, drop.total_lost);
}

}  // namespace packtwin::eventlog
