#include "packtwin/eventlog/candump_screen_format.h"

#include <cctype>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr size_t kMaxInterfaceChars = 64;
constexpr uint32_t kErrorFlag = 0x20000000;
constexpr uint64_t kMaxSeconds = 9'000'000'000;

bool AllHex(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (!HexValue(c)) return false;
  }
  return true;
}

// "(1700000000.123456)" -> ns; nullopt when the text is not one.
std::optional<int64_t> Timestamp(TextCursor& cur) {
  if (!cur.Consume('(')) return std::nullopt;
  size_t digits = 0;
  auto seconds = cur.Decimal(12, &digits);
  if (!seconds || !cur.Consume('.')) return std::nullopt;
  size_t fraction_digits = 0;
  auto fraction = cur.Decimal(9, &fraction_digits);
  // 64-bit nanoseconds end in 2262: a later time is no capture's.
  if (!fraction || !cur.Consume(')') || *seconds > kMaxSeconds) return std::nullopt;
  int64_t ns = static_cast<int64_t>(*fraction);
  for (size_t i = fraction_digits; i < 9; ++i) ns *= 10;
  return static_cast<int64_t>(*seconds) * 1'000'000'000LL + ns;
}

}  // namespace

bool LooksLikeCandumpScreen(std::string_view line) {
  return std::holds_alternative<CandumpScreenLine>(ParseCandumpScreenLine(line));
}

CandumpScreenParse ParseCandumpScreenLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  TextCursor cur(line);
  cur.SkipSpaces();
  if (cur.AtEnd()) return CandumpScreenBlank{};
  CandumpScreenLine out;
  if (cur.Peek() == '(') {
    const size_t time_at = cur.position();
    auto time = Timestamp(cur);
    if (!time) return cur.ErrorAt(time_at, "a timestamp such as (1700000000.123456), before the year 2262");
    out.timed = true;
    out.time_ns = *time;
    cur.SkipSpaces();
  }
  const size_t name_at = cur.position();
  const std::string_view name = cur.Token();
  if (name.empty() || name.size() > kMaxInterfaceChars) return cur.ErrorAt(name_at, "an interface name");
  out.frame.set_channel(std::string(name));
  cur.SkipSpaces();
  // -x: "RX - -" or "TX - -" (direction, BRS, ESI) before the id.
  const size_t dir_at = cur.position();
  const std::string_view maybe_dir = cur.Token();
  if (maybe_dir == "RX" || maybe_dir == "TX") {
    out.frame.set_direction(maybe_dir == "RX" ? v1::DIRECTION_RX : v1::DIRECTION_TX);
    for (int i = 0; i < 2; ++i) {
      cur.SkipSpaces();
      const std::string_view flag = cur.Token();
      if (flag != "-" && flag != "B" && flag != "E") return cur.Error("'-', 'B' or 'E' after the direction");
      if (flag == "B") out.frame.set_fd_flags(out.frame.fd_flags() | 1u);
      if (flag == "E") out.frame.set_fd_flags(out.frame.fd_flags() | 2u);
    }
    cur.SkipSpaces();
  } else {
    cur.Seek(dir_at);
  }
  const size_t id_at = cur.position();
  const std::string_view id_text = cur.Token();
  if (!AllHex(id_text) || (id_text.size() != 3 && id_text.size() != 8)) {
    return cur.ErrorAt(id_at, "a CAN id of 3 or 8 hex digits");
  }
  uint32_t id = 0;
  for (char c : id_text) id = id * 16 + *HexValue(c);
  cur.SkipSpaces();
  // "[8]" classic (one digit), "[12]" / "[08]" CAN FD (two digits).
  if (!cur.Consume('[')) return cur.Error("'[' and the data length");
  size_t len_digits = 0;
  auto len = cur.Decimal(2, &len_digits);
  if (!len || !cur.Consume(']')) return cur.Error("a data length and ']'");
  const bool fd = len_digits == 2;
  if ((fd && !IsFdLength(static_cast<uint32_t>(*len))) || (!fd && *len > kClassicMaxLen)) {
    return cur.Error("a data length CAN allows");
  }
  cur.SkipSpaces();
  if (cur.Consume("remote request")) {
    out.frame.set_rtr(true);
    out.frame.set_dlc(static_cast<uint32_t>(*len));
  } else {
    std::string data;
    for (uint64_t i = 0; i < *len; ++i) {
      auto hi = cur.HexDigit();
      auto lo = hi ? cur.HexDigit() : std::nullopt;
      if (!lo) return cur.Error(std::to_string(*len) + " data bytes in hex");
      data.push_back(static_cast<char>(*hi * 16 + *lo));
      cur.SkipSpaces();
    }
    out.frame.set_data(data);
    out.frame.set_dlc(fd ? FdLenToDlc(static_cast<uint32_t>(*len)) : static_cast<uint32_t>(*len));
  }
  cur.SkipSpaces();
  const bool error = cur.Consume("ERRORFRAME");
  cur.SkipSpaces();
  // candump -c colours and -a ASCII columns ("'..\"'") follow the data; both are ignored.
  if (!cur.AtEnd() && cur.Peek() != '\'') return cur.Error("the end of the line");
  out.frame.set_error(error);
  out.frame.set_extended(!error && id_text.size() == 8);
  out.frame.set_id(error ? id & ~kErrorFlag : id);
  out.frame.set_fd(fd);
  if (!fd) out.frame.set_fd_flags(0);
  return out;
}

}  // namespace packtwin::eventlog
