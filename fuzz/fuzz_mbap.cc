// Modbus TCP: one direction of a connection cut into MBAP frames, in chunks.
#include <cstddef>
#include <cstdint>

#include "packtwin/recorder/mbap_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  packtwin::recorder::MbapStream stream;
  const size_t half = size / 2;
  (void)stream.Feed(data, half);
  (void)stream.Feed(data + half, size - half);
  return 0;
}
