// slcan: a byte stream from an adapter, cut into lines and parsed.
#include <cstddef>
#include <cstdint>

#include "packtwin/bus/slcan_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  packtwin::bus::SlcanParser parser;
  size_t items = 0;
  parser.Feed(data, size, [&items](const packtwin::bus::SlcanItem&) { ++items; });
  return 0;
}
