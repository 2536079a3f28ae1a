#include "packtwin/eventlog/asc_format.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <ctime>
#include <string>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr size_t kMaxChannel = 255;
// An ASC error frame carries no SocketCAN error class: it is read as can-utils'
// asc2log reads it, a bus error (CAN_ERR_BUSERROR) with 8 zero data bytes.
constexpr uint32_t kCanErrBusError = 0x80;
constexpr uint32_t kCanErrDlc = 8;
// Bits of the Flags field after a CANFD line's data (Vector's CAN FD message flags).
constexpr uint32_t kFdFlagRemote = 0x10;
constexpr uint32_t kFdFlagEdl = 0x1000;  // 1: a CAN FD frame; 0: a classic frame on an FD channel

void SetBusError(v1::CanFrame& frame) {
  frame.set_error(true);
  frame.set_id(kCanErrBusError);
  frame.set_dlc(kCanErrDlc);
  frame.set_data(std::string(kCanErrDlc, '\0'));
}

struct MonthName {
  std::string_view name;
  int month;  // 0-based, as struct tm
};
// English abbreviations, plus the German ones CANoe writes on German systems.
constexpr std::array<MonthName, 16> kMonths = {{
    {"Jan", 0}, {"Feb", 1}, {"Mar", 2}, {"Apr", 3}, {"May", 4}, {"Jun", 5}, {"Jul", 6}, {"Aug", 7},
    {"Sep", 8}, {"Oct", 9}, {"Nov", 10}, {"Dec", 11}, {"Mär", 2}, {"Mai", 4}, {"Okt", 9}, {"Dez", 11},
}};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsNoCase(text.substr(0, prefix.size()), prefix);
}

// "SEC.FRAC" with up to 9 decimals -> ns.
std::optional<int64_t> ParseSeconds(TextCursor& cur) {
  size_t digits = 0;
  auto seconds = cur.Decimal(10, &digits);
  // Beyond ~285 years the nanoseconds would not fit in 64 bits.
  if (!seconds || *seconds > 9'000'000'000 || !cur.Consume('.')) return std::nullopt;
  size_t frac_digits = 0;
  auto fraction = cur.Decimal(9, &frac_digits);
  if (!fraction) return std::nullopt;
  int64_t frac_ns = static_cast<int64_t>(*fraction);
  for (size_t i = frac_digits; i < 9; ++i) frac_ns *= 10;
  return static_cast<int64_t>(*seconds) * kNsPerSecond + frac_ns;
}

bool IsDigits(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> ParseAscDate(std::string_view text) {
  TextCursor cur(text);
  cur.Token();  // weekday, in whatever language
  cur.SkipSpaces();
  std::string_view month_name = cur.Token();
  std::tm tm{};
  tm.tm_mon = -1;
  for (const auto& month : kMonths) {
    if (month.name == month_name) tm.tm_mon = month.month;
  }
  if (tm.tm_mon < 0) return std::nullopt;
  cur.SkipSpaces();
  // Plain values with a validity flag: GCC 12 misreads optionals here.
  const uint64_t kBad = UINT64_MAX;
  const uint64_t day = cur.Decimal(2).value_or(kBad);
  cur.SkipSpaces();
  const uint64_t hour = cur.Decimal(2).value_or(kBad);
  const uint64_t minute = cur.Consume(':') ? cur.Decimal(2).value_or(kBad) : kBad;
  const uint64_t second = cur.Consume(':') ? cur.Decimal(2).value_or(kBad) : kBad;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t frac_ns = 0;
  if (cur.Consume('.')) {
    size_t digits = 0;
    auto fraction = cur.Decimal(9, &digits);
    if (!fraction) return std::nullopt;
    frac_ns = static_cast<int64_t>(*fraction);
    for (size_t i = digits; i < 9; ++i) frac_ns *= 10;
  }
  cur.SkipSpaces();
  std::string_view word = cur.Token();
  int hour24 = static_cast<int>(hour);
  if (EqualsNoCase(word, "am") || EqualsNoCase(word, "pm")) {
    if (hour24 < 1 || hour24 > 12) return std::nullopt;
    hour24 = (hour24 % 12) + (EqualsNoCase(word, "pm") ? 12 : 0);
    cur.SkipSpaces();
    word = cur.Token();
  }
  if (!IsDigits(word) || word.size() != 4) return std::nullopt;
  tm.tm_year = std::stoi(std::string(word)) - 1900;
  tm.tm_mday = static_cast<int>(day);
  tm.tm_hour = hour24;
  tm.tm_min = static_cast<int>(minute);
  tm.tm_sec = static_cast<int>(second);
  tm.tm_isdst = -1;
  const std::time_t seconds = std::mktime(&tm);
  // 64-bit nanoseconds since 1970 hold 1677 to 2262; earlier dates are fine, outside that is an error.
  constexpr std::time_t kMaxSeconds = INT64_MAX / kNsPerSecond - 1;
  if (seconds == static_cast<std::time_t>(-1) || seconds > kMaxSeconds || seconds < -kMaxSeconds) return std::nullopt;
  return static_cast<int64_t>(seconds) * kNsPerSecond + frac_ns;
}

std::optional<uint32_t> AscParser::Number(std::string_view token) const {
  if (token.empty() || token.size() > 8) return std::nullopt;
  uint32_t value = 0;
  for (char c : token) {
    if (decimal_base_) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<uint32_t>(c - '0');
    } else {
      auto digit = HexValue(c);
      if (!digit) return std::nullopt;
      value = (value << 4) | *digit;
    }
  }
  return value;
}

std::variant<int64_t, ParseError> AscParser::ToTime(TextCursor& cur, int64_t offset_ns, size_t pos) {
  // Relative mode: each stamp counts from the event before it.
  const int64_t base = relative_ ? last_ns_ : start_ns_;
  if (__builtin_add_overflow(base, offset_ns, &last_ns_)) {
    return cur.ErrorAt(pos, "a timestamp that fits in 64-bit nanoseconds");
  }
  return last_ns_;
}

AscParse AscParser::ParseLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  TextCursor cur(line);
  cur.SkipSpaces();
  std::string_view rest = cur.Rest();
  if (rest.empty() || rest.starts_with("//")) return AscHeaderLine{};
  if (StartsWithNoCase(rest, "date ")) {
    cur.Advance(5);
    cur.SkipSpaces();
    auto when = ParseAscDate(cur.Rest());
    if (!when) return cur.Error("a date like 'Sat Nov 21 05:00:00.123 am 2026'");
    start_ns_ = last_ns_ = *when;
    return AscHeaderLine{};
  }
  if (StartsWithNoCase(rest, "begin triggerblock")) {
    cur.Advance(18);
    cur.SkipSpaces();
    if (cur.AtEnd()) return AscHeaderLine{};
    auto when = ParseAscDate(cur.Rest());
    if (!when) return cur.Error("a date like 'Sat Nov 21 05:00:00.123 am 2026'");
    start_ns_ = last_ns_ = *when;
    return AscHeaderLine{};
  }
  if (StartsWithNoCase(rest, "base ")) {
    cur.Advance(5);
    cur.SkipSpaces();
    std::string_view base = cur.Token();
    if (!EqualsNoCase(base, "hex") && !EqualsNoCase(base, "dec")) return cur.Error("base 'hex' or 'dec'");
    decimal_base_ = EqualsNoCase(base, "dec");
    cur.SkipSpaces();
    if (StartsWithNoCase(cur.Rest(), "timestamps")) {
      cur.Token();
      cur.SkipSpaces();
      relative_ = EqualsNoCase(cur.Token(), "relative");
    }
    return AscHeaderLine{};
  }
  if (StartsWithNoCase(rest, "end triggerblock") || StartsWithNoCase(rest, "internal events logged") ||
      StartsWithNoCase(rest, "no internal events logged")) {
    return AscHeaderLine{};
  }
  if (rest[0] >= '0' && rest[0] <= '9') return ParseEventLine(cur);
  return cur.Error("a header line ('date', 'base', ...) or a timestamped event");
}

AscParse AscParser::ParseEventLine(TextCursor& cur) {
  const size_t stamp_pos = cur.position();
  auto offset = ParseSeconds(cur);
  if (!offset) return cur.ErrorAt(stamp_pos, "a timestamp like '12.345678'");
  auto time = ToTime(cur, *offset, stamp_pos);
  if (auto* error = std::get_if<ParseError>(&time)) return *error;
  const int64_t time_ns = std::get<int64_t>(time);
  if (cur.SkipSpaces() == 0) return cur.Error("a space after the timestamp");
  const size_t channel_pos = cur.position();
  std::string_view channel_token = cur.Token();
  if (channel_token == "CANFD") return ParseFd(cur, time_ns);
  if (!IsDigits(channel_token)) return AscOtherEvent{};  // "Start of measurement", "J1939TP", ...
  const auto channel = std::stoul(std::string(channel_token.substr(0, 4)));
  if (channel < 1 || channel > kMaxChannel) return cur.ErrorAt(channel_pos, "a channel number 1..255");
  return ParseClassic(cur, time_ns, static_cast<uint32_t>(channel));
}

AscParse AscParser::ParseClassic(TextCursor& cur, int64_t time_ns, uint32_t channel) {
  AscFrameLine out;
  out.time_ns = time_ns;
  out.channel = channel;
  out.frame.set_channel(fmt::format("can{}", channel - 1));
  cur.SkipSpaces();
  const size_t id_pos = cur.position();
  std::string_view id_token = cur.Token();
  if (StartsWithNoCase(id_token, "errorframe")) {
    SetBusError(out.frame);  // "ErrorFrame", "ErrorFrame ECC: ...", "ErrorFrame Flags = ...": the rest is detail
    return out;
  }
  cur.SkipSpaces();
  std::string_view direction = cur.Token();
  if (direction != "Rx" && direction != "Tx") return AscOtherEvent{};  // "Statistic:", status lines
  out.frame.set_direction(direction == "Rx" ? v1::DIRECTION_RX : v1::DIRECTION_TX);
  const bool extended = !id_token.empty() && (id_token.back() == 'x' || id_token.back() == 'X');
  if (extended) id_token.remove_suffix(1);
  auto id = Number(id_token);
  if (!id || *id > (extended ? 0x1FFFFFFFu : 0x7FFu)) {
    return cur.ErrorAt(id_pos, extended ? "an extended id up to 1FFFFFFF followed by 'x'" : "a standard id up to 7FF");
  }
  out.frame.set_id(*id);
  out.frame.set_extended(extended);
  cur.SkipSpaces();
  const size_t type_pos = cur.position();
  std::string_view type = cur.Token();
  if (type != "d" && type != "r") return cur.ErrorAt(type_pos, "'d' (data) or 'r' (remote)");
  cur.SkipSpaces();
  const size_t dlc_pos = cur.position();
  std::string_view dlc_token = cur.Token();
  std::optional<uint32_t> dlc = Number(dlc_token);
  if (type == "r") {
    // "r", "r 8", "r Length = ... BitCount = ... ID = ...": a remote frame's
    // DLC is optional and attributes may follow at once.
    out.frame.set_rtr(true);
    out.frame.set_dlc(dlc && *dlc <= kMaxDlc ? *dlc : 0);
    return out;
  }
  if (!dlc || *dlc > kMaxDlc) return cur.ErrorAt(dlc_pos, "a DLC 0..F");
  out.frame.set_dlc(*dlc);
  std::string data;
  const uint32_t len = ClassicDlcToLen(*dlc);
  for (uint32_t i = 0; i < len; ++i) {
    cur.SkipSpaces();
    const size_t byte_pos = cur.position();
    auto byte = Number(cur.Token());
    if (!byte || *byte > 0xFF) return cur.ErrorAt(byte_pos, fmt::format("{} data bytes for DLC {}", len, *dlc));
    data.push_back(static_cast<char>(*byte));
  }
  out.frame.set_data(std::move(data));
  return out;  // Vector appends "Length = ... BitCount = ..." after the data: not ours
}

AscParse AscParser::ParseFd(TextCursor& cur, int64_t time_ns) {
  AscFrameLine out;
  out.time_ns = time_ns;
  out.frame.set_fd(true);
  cur.SkipSpaces();
  const size_t channel_pos = cur.position();
  std::string_view channel_token = cur.Token();
  if (!IsDigits(channel_token) || channel_token.size() > 3) return cur.ErrorAt(channel_pos, "a channel number 1..255");
  const auto channel = std::stoul(std::string(channel_token));
  if (channel < 1 || channel > kMaxChannel) return cur.ErrorAt(channel_pos, "a channel number 1..255");
  out.channel = static_cast<uint32_t>(channel);
  out.frame.set_channel(fmt::format("can{}", channel - 1));
  cur.SkipSpaces();
  const size_t dir_pos = cur.position();
  std::string_view direction = cur.Token();
  if (direction != "Rx" && direction != "Tx") return cur.ErrorAt(dir_pos, "'Rx' or 'Tx'");
  out.frame.set_direction(direction == "Rx" ? v1::DIRECTION_RX : v1::DIRECTION_TX);
  cur.SkipSpaces();
  const size_t id_pos = cur.position();
  std::string_view id_token = cur.Token();
  if (StartsWithNoCase(id_token, "errorframe")) {
    SetBusError(out.frame);  // error text, flags, position and data follow: detail
    return out;              // an FD error frame keeps FD and its direction
  }
  const bool extended = !id_token.empty() && (id_token.back() == 'x' || id_token.back() == 'X');
  if (extended) id_token.remove_suffix(1);
  auto id = Number(id_token);
  if (!id || *id > (extended ? 0x1FFFFFFFu : 0x7FFu)) return cur.ErrorAt(id_pos, "a CAN id");
  out.frame.set_id(*id);
  out.frame.set_extended(extended);
  cur.SkipSpaces();
  std::string_view brs = cur.Token();
  if (brs != "0" && brs != "1") {  // a symbolic name stands before BRS
    cur.SkipSpaces();
    brs = cur.Token();
  }
  cur.SkipSpaces();
  const size_t esi_pos = cur.position();
  std::string_view esi = cur.Token();
  if ((brs != "0" && brs != "1") || (esi != "0" && esi != "1")) return cur.ErrorAt(esi_pos, "BRS and ESI flags 0 or 1");
  out.frame.set_fd_flags((brs == "1" ? 1u : 0u) | (esi == "1" ? 2u : 0u));
  cur.SkipSpaces();
  const size_t dlc_pos = cur.position();
  std::string_view dlc_token = cur.Token();
  // Plain values with a validity bound: GCC 12 misreads optionals here.
  constexpr uint32_t kBad = 999;
  const uint32_t dlc = dlc_token.size() == 1 ? HexValue(dlc_token[0]).value_or(kBad) : kBad;
  cur.SkipSpaces();
  std::string_view len_token = cur.Token();
  const uint32_t len =
      IsDigits(len_token) && len_token.size() <= 2 ? static_cast<uint32_t>(std::stoul(std::string(len_token))) : kBad;
  // Data length 0 with a DLC: a remote frame (only classic CAN has them),
  // logged on an FD channel.
  const bool remote = dlc != kBad && len == 0 && dlc != 0;
  if (dlc == kBad || (!remote && FdDlcToLen(dlc) != len)) {
    return cur.ErrorAt(dlc_pos, "a DLC 0..F and its matching data length (or 0 for a remote frame)");
  }
  out.frame.set_dlc(dlc);
  std::string data;
  for (uint32_t i = 0; i < len; ++i) {
    cur.SkipSpaces();
    const size_t byte_pos = cur.position();
    auto byte = Number(cur.Token());
    if (!byte || *byte > 0xFF) return cur.ErrorAt(byte_pos, fmt::format("{} data bytes", len));
    data.push_back(static_cast<char>(*byte));
  }
  out.frame.set_data(std::move(data));
  ApplyFdFlags(cur, remote, out.frame);
  return out;
}

// After the data: message duration, bit count, Flags, CRC, bit timings. The
// Flags say whether the frame was CAN FD (EDL) or a classic one on an FD
// channel, and whether it was a remote frame; files without them (or with 0,
// as some writers put) are taken by their lengths.
void AscParser::ApplyFdFlags(TextCursor& cur, bool remote_by_length, v1::CanFrame& frame) const {
  std::optional<uint32_t> flags;
  cur.SkipSpaces();
  cur.Token();
  cur.SkipSpaces();
  cur.Token();
  cur.SkipSpaces();
  std::string_view flags_token = cur.Token();
  if (!flags_token.empty() && flags_token.size() <= 8) {
    uint32_t value = 0;
    bool hex = true;
    for (char c : flags_token) {
      auto digit = HexValue(c);
      hex = hex && digit.has_value();
      value = (value << 4) | digit.value_or(0);
    }
    if (hex) flags = value;
  }
  const bool remote = remote_by_length || (flags && (*flags & kFdFlagRemote) != 0 && frame.data().empty());
  const bool classic = remote || (flags && *flags != 0 && (*flags & kFdFlagEdl) == 0 && frame.data().size() <= 8 &&
                                  frame.fd_flags() == 0);
  if (remote) frame.set_rtr(true);
  if (classic) {
    frame.set_fd(false);
    frame.set_fd_flags(0);
  }
}

std::string FormatAscHeader(int64_t start_ns) {
  const std::time_t seconds = static_cast<std::time_t>(start_ns / kNsPerSecond);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  std::array<char, 64> date{};
  std::strftime(date.data(), date.size(), "%a %b %d %I:%M:%S.000 %p %Y", &tm);
  return fmt::format(
      "date {0}\nbase hex  timestamps absolute\nno internal events logged\n// version 9.0.0\n"
      "Begin Triggerblock {0}\n",
      date.data());
}

std::string FormatAscFrame(int64_t offset_ns, uint32_t channel, const v1::CanFrame& frame) {
  const int64_t micros = offset_ns / 1000;
  std::string stamp = fmt::format("{:>4}.{:06}", micros / 1'000'000, micros % 1'000'000);
  const char* direction = frame.direction() == v1::DIRECTION_TX ? "Tx" : "Rx";
  if (frame.error() && frame.fd()) return fmt::format("{} CANFD {:>3} {:<4} ErrorFrame\n", stamp, channel, direction);
  if (frame.error()) return fmt::format("{} {}  ErrorFrame\n", stamp, channel);
  std::string id = frame.extended() ? fmt::format("{:X}x", frame.id()) : fmt::format("{:X}", frame.id());
  std::string data;
  for (unsigned char byte : frame.data()) data += fmt::format(" {:02X}", byte);
  if (frame.fd()) {
    const int brs = (frame.fd_flags() & 1u) != 0 ? 1 : 0;
    const int esi = (frame.fd_flags() & 2u) != 0 ? 1 : 0;
    const uint32_t flags = (1u << 12) | (static_cast<uint32_t>(brs) << 13) | (static_cast<uint32_t>(esi) << 14);
    return fmt::format("{} CANFD {:>3} {:<4} {:>8}  {:>32} {} {} {:x} {:>2}{} {:>8} {:>4} {:>8X} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                       stamp, channel, direction, id, "", brs, esi, frame.dlc(), frame.data().size(), data, 0, 0,
                       flags, 0, 0, 0, 0, 0);
  }
  if (frame.rtr()) return fmt::format("{} {}  {:<15} {:<4} r {:x}\n", stamp, channel, id, direction, frame.dlc());
  return fmt::format("{} {}  {:<15} {:<4} d {:x}{}\n", stamp, channel, id, direction, frame.dlc(), data);
}

std::string FormatAscFooter() { return "End TriggerBlock\n"; }

}  // namespace packtwin::eventlog
