// candump's screen format (what it prints to a terminal, and what people save
// with `candump can0 > file`):
//     can0  123   [2]  11 22
//   (1700000000.123456)  can0  12345678   [8]  00 11 22 33 44 55 66 77
//     can0  123   [3]  remote request
//     can0  123  [12]  00 11 22 33 44 55 66 77 88 99 AA BB          (CAN FD)
//     can0  20000080   [8]  00 00 00 00 00 00 00 00   ERRORFRAME
//     can0  RX - -  123   [2]  11 22                                  (-x)
// Its timestamps are absent, or relative (-tz, -td) or absolute (-ta); a
// value under 10^9 s is taken as an offset from 1970-01-01 (no date exists).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "packtwin/base/text_cursor.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

struct CandumpScreenLine {
  bool timed = false;   // the line had a "(seconds)" timestamp
  int64_t time_ns = 0;
  v1::CanFrame frame;
};
struct CandumpScreenBlank {};

using CandumpScreenParse = std::variant<CandumpScreenLine, CandumpScreenBlank, ParseError>;

CandumpScreenParse ParseCandumpScreenLine(std::string_view line);

// Whether a line looks like the screen format (for the import sniffer).
bool LooksLikeCandumpScreen(std::string_view line);

}  // namespace packtwin::eventlog
