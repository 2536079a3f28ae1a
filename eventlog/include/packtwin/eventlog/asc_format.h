// Vector ASC logs as written by can-utils `log2asc`, python-can's ASCWriter and
// CANoe: a header (date, base, timestamp mode), then one event per line:
//    0.500000 1  123             Rx   d 4 DE AD BE EF
//    0.600000 2  1ABx            Tx   r 3
//    0.610000 2  1AB             Tx   r Length = 1704000 BitCount = 145 ID = 427
//    0.700000 1  ErrorFrame Flags = 0xe CodeExt = 0x20a2 Code = 0x82 ...
//    0.800000 CANFD   1 Rx        123   1 0 3  3 11 22 33 ...
//    0.900000 CANFD   3 Tx     50005x  0 0 5 0 140000 73 200050 ...   (remote)
//    1.000000 CANFD   5 Tx ErrorFrame Not Acknowledge error, ...
// Trailing attributes (Length, BitCount, ID, bit timings) are read where they
// say something (the CANFD Flags) and otherwise passed over.
// Lines of other events (statistics, "Start of measurement", J1939) are
// recognised and skipped; anything unrecognisable is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/base/text_cursor.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

struct AscFrameLine {
  int64_t time_ns = 0;  // absolute when the file has a date, else from its start
  uint32_t channel = 0;  // 1-based, as in the file
  v1::CanFrame frame;    // channel name set to "can<channel - 1>"
};
struct AscHeaderLine {};   // header, comment, trigger block or blank: nothing to record
struct AscOtherEvent {};   // a timestamped event that is not a CAN frame

using AscParse = std::variant<AscFrameLine, AscHeaderLine, AscOtherEvent, ParseError>;

class AscParser {
 public:
  // Local time converts the file's dates (ASC dates carry no zone).
  AscParse ParseLine(std::string_view line);

 private:
  AscParse ParseEventLine(TextCursor& cur);
  AscParse ParseClassic(TextCursor& cur, int64_t time_ns, uint32_t channel);
  AscParse ParseFd(TextCursor& cur, int64_t time_ns);
  void ApplyFdFlags(TextCursor& cur, bool remote_by_length, v1::CanFrame& frame) const;
  std::variant<int64_t, ParseError> ToTime(TextCursor& cur, int64_t offset_ns, size_t pos);
  std::optional<uint32_t> Number(std::string_view token) const;

  bool decimal_base_ = false;
  bool relative_ = false;
  int64_t start_ns_ = 0;
  int64_t last_ns_ = 0;
};

// "Sat Nov 21 05:00:00.123 am 2026" and the other forms above -> ns (local time).
std::optional<int64_t> ParseAscDate(std::string_view text);

std::string FormatAscHeader(int64_t start_ns);
// One event line; offset_ns is from the header's start.
std::string FormatAscFrame(int64_t offset_ns, uint32_t channel, const v1::CanFrame& frame);
std::string FormatAscFooter();

}  // namespace packtwin::eventlog
