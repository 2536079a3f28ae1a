// candump log lines: parse, and what parses formats back without trouble.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "packtwin/eventlog/candump_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = packtwin::eventlog::ParseCandumpLine(line);
  if (auto* ok = std::get_if<packtwin::eventlog::CandumpLine>(&parsed)) {
    if (auto* frame = std::get_if<packtwin::eventlog::CandumpFrameLine>(ok)) {
      packtwin::eventlog::CandumpStyle style{frame->timestamp_digits, frame->seconds_width, frame->interface_width};
      (void)packtwin::eventlog::FormatCandumpLine(frame->time_ns, style, frame->frame);
    }
  }
  return 0;
}
