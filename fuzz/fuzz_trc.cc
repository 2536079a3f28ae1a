// PEAK TRC and candump's screen output: every line of the input through both
// line parsers, as a file would go.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "packtwin/eventlog/candump_screen_format.h"
#include "packtwin/eventlog/trc_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  packtwin::eventlog::TrcParser parser;
  // Bounded by the input: each pass consumes a line.
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    (void)parser.ParseLine(line);
    (void)packtwin::eventlog::ParseCandumpScreenLine(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}
