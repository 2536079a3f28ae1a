// Vector BLF: a whole file from memory through the reader, every frame read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "packtwin/eventlog/blf_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = packtwin::eventlog::BlfReader::FromBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.blf");
  if (!reader.ok()) return 0;
  packtwin::eventlog::BlfFrame frame;
  // Bounded: each frame consumes at least an object header of the input.
  for (size_t i = 0; i <= size; ++i) {
    auto more = (*reader)->Next(&frame);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
