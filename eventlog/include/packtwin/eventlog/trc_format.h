// PEAK-System's TRC trace files (PCAN-View, python-can's TRCWriter), versions
// 1.0, 1.1 and 2.x. Header lines start with ';'; 2.x names its columns in
// ";$COLUMNS=N,O,T,B,I,d,R,L,D" and its start in ";$STARTTIME=DAYS.FRACTION"
// (days since 1899-12-30). Message lines:
//      1)       250  1AA 8 50 14 1E FB 23 0F 01 20                    1.0
//      1)       250.3  Rx  1AA 8 50 14 ...                            1.1
//      1       249.900 DT  2 12345678 Tx -  1    01                   2.1
// An id of more than 4 hex digits is extended (as PEAK writes and python-can
// reads). Types other than data (DT), remote (RR) and CAN FD (FD, FB, FE, BI)
// and error frames (ER) are skipped and counted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "packtwin/base/text_cursor.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

struct TrcFrameLine {
  int64_t time_ns = 0;  // the file's start plus the line's offset
  v1::CanFrame frame;   // channel "can<bus - 1>"
};
struct TrcHeaderLine {};  // a comment, a header line or a blank line
struct TrcOtherEvent {};  // a message of a type packtwin does not model

using TrcParse = std::variant<TrcFrameLine, TrcHeaderLine, TrcOtherEvent, ParseError>;

class TrcParser {
 public:
  TrcParse ParseLine(std::string_view line);
  bool has_start_time() const { return start_ns_ != 0; }

 private:
  TrcParse ParseHeader(std::string_view line);
  TrcParse ParseMessage(std::string_view line);

  int major_ = 1;
  int minor_ = 0;
  int64_t start_ns_ = 0;
  std::vector<char> columns_;  // 2.x column letters in order
};

}  // namespace packtwin::eventlog
