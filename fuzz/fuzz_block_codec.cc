// A stored block's records and bodies, as a damaged or hand-made file holds
// them, and its record checks (the input's own bytes read as stored checks).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "block_codec.h"
#include "packtwin/base/log_time_range.h"
#include "record_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view block(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  int64_t previous_wall_ns = 0;
  packtwin::v1::Event event;
  const std::string checks = packtwin::eventlog::block::RecordChecks(block);
  (void)packtwin::eventlog::block::BodyCheckMatches(block, block);
  (void)packtwin::eventlog::block::ChecksFit(block, checks.size());
  size_t index = 0;
  // Bounded by the block: each record read advances pos.
  while (pos < block.size()) {
    packtwin::eventlog::block::Record record;
    if (!packtwin::eventlog::block::ReadRecord(block, &pos, previous_wall_ns, &record)) break;
    // Every time a record gives is one a log holds: the twin's arithmetic relies on it.
    if (!packtwin::InLogTimeRange(record.wall_ns) || !packtwin::InLogTimeRange(record.capture_ns)) __builtin_trap();
    previous_wall_ns = record.wall_ns;
    // The checks of a body that decodes whole must fit the body they were made from.
    if (!checks.empty() &&
        packtwin::eventlog::block::StoredCheck(checks, index++) != packtwin::eventlog::block::RecordCheck(record)) {
      __builtin_trap();
    }
    (void)packtwin::eventlog::block::DecodeBody(record.kind, record.body, "can0", &event);
  }
  return 0;
}
