#include "packtwin/eventlog/chain_watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace packtwin::eventlog {

ChainWatch::~ChainWatch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  if (hasher_.joinable()) hasher_.join();
}

// Reading that starts mid-log continues the chain from the event before.
Status ChainWatch::Begin(uint64_t first_seq) {
  expected_seq_ = first_seq;
  if (first_seq <= 1) return Status::Ok();
  auto previous = reader_.HashAt(first_seq - 1);
  if (!previous.ok()) return previous.status();
  if (previous->size() != chain_.size()) {
    return Status::Corruption(fmt::format("{}: event seq {} is missing before seq {}: the log is damaged; run packtwin "
                                          "verify",
                                          path_, first_seq - 1, first_seq));
  }
  std::copy(previous->begin(), previous->end(), chain_.begin());
  return Status::Ok();
}

Status ChainWatch::Follow(const StoredEvent& row) {
  if (expected_seq_ == 0) {
    PACKTWIN_RETURN_IF_ERROR(Begin(from_start_ ? 1 : row.seq));
    hasher_ = std::thread([this] { HashLoop(); });  // starts from the chain Begin set
  }
  if (row.seq != expected_seq_) {
    return Status::Corruption(fmt::format("{}: event seq {} is missing (the next stored event is seq {}): the log is "
                                          "damaged; run packtwin verify",
                                          path_, expected_seq_, row.seq));
  }
  expected_seq_ = row.seq + 1;
  std::string& bytes = filling_.bytes;
  const auto at = [&bytes] { return static_cast<uint32_t>(bytes.size()); };
  Item item{row.seq, row.capture_ns, row.wall_ns, static_cast<uint32_t>(row.kind), row.damaged, at(), 0, 0, 0, 0, 0};
  bytes += row.source;
  item.source_len = at() - item.source_at;
  item.payload_at = at();
  bytes += row.payload;
  item.payload_len = at() - item.payload_at;
  item.hash_at = at();
  bytes += row.hash;
  item.hash_len = at() - item.hash_at;
  filling_.items.push_back(item);
  if (filling_.items.size() >= kBatchEvents) {
    Submit();
    return HasherError();
  }
  return Status::Ok();
}

void ChainWatch::Submit() {
  if (filling_.items.empty()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  // Bounded memory: wait while the hasher is behind (or stop if it failed).
  changed_.wait(lock, [this] { return queue_.size() < kMaxQueuedBatches || hasher_error_; });
  if (hasher_error_) {
    filling_.items.clear();
    filling_.bytes.clear();
    return;
  }
  queue_.push_back(std::move(filling_));
  if (!spare_.empty()) {
    filling_ = std::move(spare_.back());
    spare_.pop_back();
  } else {
    filling_ = Batch{};
  }
  filling_.items.clear();
  filling_.bytes.clear();
  lock.unlock();
  changed_.notify_all();
}

Status ChainWatch::HasherError() {
  std::lock_guard<std::mutex> lock(mutex_);
  return hasher_error_ ? *hasher_error_ : Status::Ok();
}

void ChainWatch::HashLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  // Bounded by the batches submitted: ends when the watch closes.
  while (true) {
    changed_.wait(lock, [this] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return;
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Status hashed = HashBatch(batch);
    lock.lock();
    busy_ = false;
    spare_.push_back(std::move(batch));
    if (!hashed.ok()) {
      hasher_error_ = hashed;
      queue_.clear();
    }
    changed_.notify_all();
    if (hasher_error_) return;
  }
}

Status ChainWatch::HashBatch(const Batch& batch) {
  const std::string_view bytes = batch.bytes;
  for (const Item& item : batch.items) {
    if (block_start_ == 0) block_start_ = item.seq;
    if (item.damaged) {
      block_damaged_ = true;
    } else {
      chain_ = ChainHash(chain_, {item.seq, item.capture_ns, item.wall_ns, item.kind,
                                  bytes.substr(item.source_at, item.source_len),
                                  bytes.substr(item.payload_at, item.payload_len)});
    }
    if (item.hash_len == 0) continue;
    const std::string_view stored = bytes.substr(item.hash_at, item.hash_len);
    if (block_damaged_ && stored.size() == chain_.size()) {
      // The reader named the damaged events; the chain goes on from the block's stored hash.
      std::copy(stored.begin(), stored.end(), chain_.begin());
      block_damaged_ = false;
      block_start_ = 0;
      continue;
    }
    const bool matches = stored.size() == chain_.size() &&
                         std::equal(chain_.begin(), chain_.end(), reinterpret_cast<const uint8_t*>(stored.data()));
    if (!matches) {
      const std::string where = block_start_ == item.seq ? fmt::format("event seq {}", item.seq)
                                                        : fmt::format("events seq {} to {}", block_start_, item.seq);
      return Status::Corruption(fmt::format("{}: {}: the hash chain does not match the contents (changed, inserted or "
                                            "removed): what was read is not the recorded log; run packtwin verify",
                                            path_, where));
    }
    block_start_ = 0;
  }
  return Status::Ok();
}

// Hands over what is left and waits until the hasher has done it all.
Status ChainWatch::Wait() {
  if (!hasher_.joinable()) return Status::Ok();
  Submit();
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || hasher_error_; });
  return hasher_error_ ? *hasher_error_ : Status::Ok();
}

Status ChainWatch::Drain() { return Wait(); }

Status ChainWatch::Finish() {
  PACKTWIN_RETURN_IF_ERROR(Wait());
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
                                        path_, count->second, last_seq));
}

}  // namespace packtwin::eventlog
