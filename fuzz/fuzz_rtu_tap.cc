// The Modbus RTU tap: bytes in chunks with arrival times (the first bytes of
// the input steer chunk sizes and gaps), split into frames and paired.
#include <cstddef>
#include <cstdint>

#include "packtwin/recorder/rtu_pairer.h"
#include "packtwin/recorder/rtu_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace packtwin::recorder;
  RtuSplitter splitter(9600);
  RtuPairer pairer(1'000'000'000);
  int64_t now_ns = 0;
  size_t at = 0;
  // Bounded by the input: each pass consumes at least one byte.
  while (at < size) {
    const uint8_t control = data[at++];
    const size_t chunk = std::min<size_t>(1 + (control & 0x1F), size - at);
    now_ns += static_cast<int64_t>(control >> 5) * 2'000'000;  // 0..14 ms between chunks
    for (const auto& frame : splitter.Feed(data + at, chunk, now_ns)) (void)pairer.OnFrame(frame);
    at += chunk;
    for (const auto& frame : splitter.Tick(now_ns)) (void)pairer.OnFrame(frame);
  }
  for (const auto& frame : splitter.Flush()) (void)pairer.OnFrame(frame);
  (void)pairer.Drain(now_ns + 2'000'000'000);
  return 0;
}
