// The candump log format (`candump -l` / `-L`), as can-utils writes and reads it:
//   (1436509053.850870) can0 123#DEADBEEF
//   (1436509053.850870)  vcan10 12345678#R          interface right-aligned
//   (1436509053.850870123) can0 123##1112233 T      9 decimals, CAN FD, direction
//   DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 7)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/base/text_cursor.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

// candump -l pads the seconds of its timestamps to 10 digits.
inline constexpr size_t kCandumpPaddedSecondsDigits = 10;

// How a file lays its lines out, kept so an export looks like its source.
struct CandumpStyle {
  int timestamp_digits = 6;    // 6 or 9 decimals
  size_t seconds_width = kCandumpPaddedSecondsDigits;  // seconds zero-padded to this many digits (candump: 10; 0 = not padded)
  size_t interface_width = 0;  // width of the (right-aligned) interface field
};

struct CandumpFrameLine {
  int64_t time_ns = 0;
  int timestamp_digits = 6;  // 6 or 9 decimals in the file
  size_t seconds_width = 0;  // digits of the seconds when zero-padded ("(0000000166.0)": 10), else 0
  size_t interface_width = 0;  // width of the (right-aligned) interface field
  v1::CanFrame frame;  // channel = interface name
};

struct CandumpDropLine {
  std::string interface;
  uint64_t frames_lost = 0;
  uint64_t total_lost = 0;
};

struct CandumpBlankLine {};

using CandumpLine = std::variant<CandumpFrameLine, CandumpDropLine, CandumpBlankLine>;
using CandumpParse = std::variant<CandumpLine, ParseError>;

// Parses one line without its line terminator. Never trusts the input: every
// malformed line yields a ParseError, never an assertion.
CandumpParse ParseCandumpLine(std::string_view line);

// The frame part alone ("123#DEADBEEF"), as can-utils prints it.
std::string FormatCandumpFrame(const v1::CanFrame& frame);

// A whole log line with its '\n', laid out as `style` says.
std::string FormatCandumpLine(int64_t time_ns, const CandumpStyle& style, const v1::CanFrame& frame);
std::string FormatCandumpDropLine(const CandumpDropLine& drop);

}  // namespace packtwin::eventlog
