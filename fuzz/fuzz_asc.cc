// Vector ASC: every line of the input through one parser, as a file would go.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "packtwin/eventlog/asc_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  packtwin::eventlog::AscParser parser;
  // Bounded by the input: each pass consumes a line.
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    auto parsed = parser.ParseLine(line);
    if (auto* frame = std::get_if<packtwin::eventlog::AscFrameLine>(&parsed)) {
      (void)packtwin::eventlog::FormatAscFrame(0, frame->channel, frame->frame);
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}
