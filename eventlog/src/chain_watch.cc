#include "packtwin/eventlog/chain_watch.h"

#include <fmt/format.h>

#include <algorithm>

namespace packtwin {

// Reading that starts mid-log continues the chain from the event before.
Status ChainWatch::Begin(uint64_t first_seq) {
  expected_seq_ = first_seq;
  if (first_seq <= 1) return Status::Ok();
  auto previous = reader_.HashAt(first_seq - 1);
  if (!previous.ok()) return previous.status();
  if (previous->size() != chain_.size()) {
    return Status::Corruption(fmt::format("{}: event seq {} is missing before seq {}: the log is damaged; run packtwin "
                                          "verify",
                                          reader_.path(), first_seq - 1, first_seq));
  }
  std::copy(previous->begin(), previous->end(), chain_.begin());
  return Status::Ok();
}

Status ChainWatch::Follow(const StoredEvent& row) {
  if (expected_seq_ == 0) PACKTWIN_RETURN_IF_ERROR(Begin(from_start_ ? 1 : row.seq));
  if (row.seq != expected_seq_) {
    return Status::Corruption(fmt::format("{}: event seq {} is missing (the next stored event is seq {}): the log is "
                                          "damaged; run packtwin verify",
                                          reader_.path(), expected_seq_, row.seq));
  }
  expected_seq_ = row.seq + 1;
  if (block_start_ == 0) block_start_ = row.seq;
  chain_ = ChainHash(chain_, {row.seq, row.capture_ns, row.wall_ns, static_cast<uint32_t>(row.kind), row.source,
                              row.payload});
  if (row.hash.empty()) return Status::Ok();
  const bool matches = row.hash.size() == chain_.size() &&
                       std::equal(chain_.begin(), chain_.end(), reinterpret_cast<const uint8_t*>(row.hash.data()));
  if (!matches) {
    const std::string where = block_start_ == row.seq ? fmt::format("event seq {}", row.seq)
                                                      : fmt::format("events seq {} to {}", block_start_, row.seq);
    return Status::Corruption(fmt::format("{}: {}: the hash chain does not match the contents (changed, inserted or "
                                          "removed): what was read is not the recorded log; run packtwin verify",
                                          reader_.path(), where));
  }
  block_start_ = 0;
  return Status::Ok();
}

Status ChainWatch::Finish() const {
  if (!from_start_ && expected_seq_ == 0) return Status::Ok();  // started past the end: nothing was read
  auto meta = reader_.Meta();
  if (!meta.ok()) return meta.status();
  auto count = meta->find(meta_key::kEventCount);
  if (count == meta->end()) return Status::Ok();  // a log still being created
  const uint64_t last_seq = expected_seq_ == 0 ? 0 : expected_seq_ - 1;
  if (count->second == std::to_string(last_seq)) return Status::Ok();
  auto counts = reader_.Counts();  // a live log may have grown since the cursor ended: ask again
  if (!counts.ok()) return counts.status();
  if (count->second == std::to_string(counts->last_seq) && counts->last_seq >= last_seq) return Status::Ok();
  return Status::Corruption(fmt::format("{}: the log says {} events were committed but it ends at seq {}: its tail "
                                        "was cut or its header altered; run packtwin verify",
                                        reader_.path(), count->second, last_seq));
}

}  // namespace packtwin
