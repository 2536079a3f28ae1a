#include "packtwin/eventlog/trc_format.h"

#include <cmath>

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNsPerDay = 86'400'000'000'000;
constexpr int64_t kDaysFrom1899To1970 = 25569;  // 1899-12-30 to 1970-01-01
constexpr double kMaxOffsetMs = 1.0e12;         // about 31 years: beyond is not a trace (and would overflow)

// Token as a finite decimal number ("249.900"); nullopt otherwise.
std::optional<double> Number(std::string_view token) {
  if (token.empty() || token.size() > 32) return std::nullopt;
  std::string text(token);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<uint32_t> HexNumber(std::string_view token, size_t max_digits) {
  if (token.empty() || token.size() > max_digits) return std::nullopt;
  uint32_t value = 0;
  for (char c : token) {
    auto digit = HexValue(c);
    if (!digit) return std::nullopt;
    value = value * 16 + *digit;
  }
  return value;
}

std::vector<std::string_view> Tokens(std::string_view line) {
  std::vector<std::string_view> tokens;
  TextCursor cur(line);
  while (true) {
    cur.SkipSpaces();
    if (cur.AtEnd()) break;
    tokens.push_back(cur.Token());
  }
  return tokens;
}

}  // namespace

TrcParse TrcParser::ParseLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return TrcHeaderLine{};
  if (line[first] == ';') return ParseHeader(line.substr(first));
  return ParseMessage(line);
}

TrcParse TrcParser::ParseHeader(std::string_view line) {
  TextCursor cur(line);
  if (cur.Consume(";$FILEVERSION=")) {
    auto major = cur.Decimal(2);
    if (!major || !cur.Consume('.')) return cur.Error("a file version such as 2.1");
    auto minor = cur.Decimal(2);
    if (!minor || !cur.AtEnd() || *major < 1 || *major > 2) return cur.Error("a file version 1.x or 2.x");
    major_ = static_cast<int>(*major);
    minor_ = static_cast<int>(*minor);
  } else if (cur.Consume(";$STARTTIME=")) {
    auto days = Number(cur.Rest());
    if (!days || *days < kDaysFrom1899To1970 || *days > kDaysFrom1899To1970 + 200.0 * 366) {
      return cur.Error("a start time in days since 1899-12-30, after 1970 (e.g. 46347.2083)");
    }
    start_ns_ = static_cast<int64_t>(std::llround((*days - kDaysFrom1899To1970) * static_cast<double>(kNsPerDay)));
  } else if (cur.Consume(";$COLUMNS=")) {
    columns_.clear();
    for (char c : cur.Rest()) {
      if (c != ',') columns_.push_back(c);
    }
  }
  return TrcHeaderLine{};
}

TrcParse TrcParser::ParseMessage(std::string_view line) {
  const auto tokens = Tokens(line);
  TextCursor cur(line);
  // The columns of each version; 2.0 without $COLUMNS has N O T I d l D.
  std::vector<char> columns = columns_;
  if (major_ == 1) columns = minor_ == 0 ? std::vector<char>{'N', 'O', 'I', 'L', 'D'} : std::vector<char>{'N', 'O', 'd', 'I', 'L', 'D'};
  if (major_ == 2 && columns.empty()) columns = {'N', 'O', 'T', 'I', 'd', 'l', 'D'};
  TrcFrameLine out;
  v1::CanFrame& frame = out.frame;
  std::string type = "DT";
  uint32_t bus = 1;
  size_t at = 0;
  int64_t length = -1;
  for (char column : columns) {
    if (column == 'D') break;
    if (at >= tokens.size()) return cur.Error(std::string("the '") + column + "' column");
    const std::string_view token = tokens[at];
    switch (column) {
      case 'N':
        if (!(token.back() == ')' || Number(token))) return cur.Error("a message number");
        break;
      case 'O': {
        auto ms = Number(token);
        if (!ms || std::fabs(*ms) > kMaxOffsetMs) return cur.Error("a time offset in milliseconds");
        out.time_ns = start_ns_ + static_cast<int64_t>(std::llround(*ms * kNsPerMs));
        break;
      }
      case 'T':
        type = std::string(token);
        break;
      case 'B': {
        auto n = Number(token);
        if (!n || *n < 1 || *n > 16 || *n != std::floor(*n)) return cur.Error("a bus number 1..16");
        bus = static_cast<uint32_t>(*n);
        break;
      }
      case 'I': {
        // 1.0 has no type column: a remote frame's id is followed by "RTR" later.
        auto id = HexNumber(token, 8);
        if (!id || *id > 0x1FFFFFFF) return cur.Error("a CAN id in hex");
        frame.set_id(*id);
        frame.set_extended(token.size() > 4);
        if (!frame.extended() && *id > 0x7FF) return cur.Error("an 11-bit id of at most 4 hex digits");
        break;
      }
      case 'd':
        if (token != "Rx" && token != "Tx") {
          if (major_ == 1 && columns.size() == 6) {  // 1.1: "Warng", "Error" and other rows are not frames
            return TrcOtherEvent{};
          }
          return cur.Error("Rx or Tx");
        }
        frame.set_direction(token == "Rx" ? v1::DIRECTION_RX : v1::DIRECTION_TX);
        break;
      case 'L':
      case 'l': {
        auto n = Number(token);
        if (!n || *n < 0 || *n > 64 || *n != std::floor(*n)) return cur.Error("a data length");
        length = static_cast<int64_t>(*n);
        if (column == 'L') length = -2 - length;  // a DLC: mapped to bytes below
        break;
      }
      default:
        break;  // R (reserved) and columns packtwin does not use
    }
    ++at;
  }
  const bool fd = type == "FD" || type == "FB" || type == "FE" || type == "BI";
  const bool remote = type == "RR" || (at < tokens.size() && tokens[at] == "RTR");
  if (!fd && !remote && type != "DT" && type != "ER") return TrcOtherEvent{};
  uint32_t bytes = 0;
  uint32_t dlc = 0;
  if (length <= -2) {
    dlc = static_cast<uint32_t>(-2 - length);
    if (dlc > kMaxDlc) return cur.Error("a DLC 0..15");
    bytes = fd ? FdDlcToLen(dlc) : ClassicDlcToLen(dlc);
  } else if (length >= 0) {
    bytes = static_cast<uint32_t>(length);
    if ((fd && !IsFdLength(bytes)) || (!fd && bytes > kClassicMaxLen)) return cur.Error("a data length CAN allows");
    dlc = fd ? FdLenToDlc(bytes) : bytes;
  }
  if (remote) bytes = 0;
  std::string data;
  for (uint32_t i = 0; i < bytes; ++i) {
    if (at + i >= tokens.size()) return cur.Error(std::to_string(bytes) + " data bytes");
    auto byte = HexNumber(tokens[at + i], 2);
    if (!byte) return cur.Error("a data byte in hex");
    data.push_back(static_cast<char>(*byte));
  }
  frame.set_channel("can" + std::to_string(bus - 1));
  frame.set_dlc(dlc);
  frame.set_data(std::move(data));
  frame.set_rtr(remote);
  frame.set_fd(fd);
  if (fd) frame.set_fd_flags((type == "FB" || type == "BI" ? 1u : 0u) | (type == "FE" || type == "BI" ? 2u : 0u));
  if (type == "ER") {
    frame.set_error(true);
    frame.set_id(0);
  }
  return out;
}

}  // namespace packtwin::eventlog
