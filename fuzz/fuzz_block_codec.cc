// A stored block's records and bodies, as a damaged or hand-made file holds them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "block_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view block(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  int64_t previous_wall_ns = 0;
  packtwin::v1::Event event;
  // Bounded by the block: each record read advances pos.
  while (pos < block.size()) {
    packtwin::eventlog::block::Record record;
    if (!packtwin::eventlog::block::ReadRecord(block, &pos, previous_wall_ns, &record)) break;
    previous_wall_ns = record.wall_ns;
    (void)packtwin::eventlog::block::DecodeBody(record.kind, record.body, "can0", &event);
  }
  return 0;
}
