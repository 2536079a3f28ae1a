#include "packtwin/fleet/ship.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "packtwin/eventlog/stored_block.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/site_key.h"

namespace packtwin::fleet {
namespace {

constexpr size_t kBlocksPerRead = 32;
constexpr int kMaxResyncs = 5;
constexpr int kOpenAttempts = 25;

// Where the stream says this capture ends, and the subject's last sequence.
struct StreamTail {
  uint64_t after_seq = 0;
  uint64_t subject_seq = 0;
};

Result<StreamTail> AskStream(NatsLink& link, const std::string& subject, const std::string& capture_id) {
  auto last = link.LastOnSubject(subject);
  if (!last.ok()) return last.status();
  StreamTail tail;
  if (!last->has_value()) return tail;
  tail.subject_seq = (*last)->stream_seq;
  auto message = DecodeBlockMessage((*last)->data);
  if (!message.ok()) {
    return Status::InvalidArgument(fmt::format("the last message on {} (stream seq {}) is not a packtwin block: {}", subject,
                                               tail.subject_seq, message.status().message()));
  }
  // Another capture of the site ends the subject: this one starts from its beginning.
  if (message->capture_id == capture_id) tail.after_seq = message->block.last_seq;
  return tail;
}

class Shipper {
 public:
  Shipper(const ShipRequest& request, const std::function<void(const ShipSummary&)>& progress)
      : request_(request), progress_(progress) {}

  Result<ShipSummary> Run() {
    PACKTWIN_RETURN_IF_ERROR(WaitForFile());
    auto file = eventlog::BlockFile::Open(request_.db);
    // A recording that is starting has its file before its schema: give it a moment.
    for (int attempt = 0; request_.follow && !file.ok() && attempt < kOpenAttempts; ++attempt) {
      Sleep();
      file = eventlog::BlockFile::Open(request_.db);
    }
    if (!file.ok()) return file.status();
    file_ = std::move(*file);
    auto meta = file_->Meta();
    if (!meta.ok()) return meta.status();
    summary_.site = request_.site.empty() ? (*meta)[eventlog::meta_key::kSite] : request_.site;
    if (summary_.site.empty()) {
      return Status::InvalidArgument(fmt::format("{}: the log names no site; give one with --site", request_.db));
    }
    PACKTWIN_RETURN_IF_ERROR(CheckSiteName(summary_.site));
    subject_ = BlockSubject(summary_.site);
    if (!request_.key_file.empty()) {
      auto key = SiteKey::LoadPrivate(request_.key_file);
      if (!key.ok()) return key.status();
      key_ = std::move(*key);
    }
    auto link = NatsLink::Connect(request_.nats);
    if (!link.ok()) return link.status();
    link_ = std::move(*link);
    PACKTWIN_RETURN_IF_ERROR(link_->EnsureBlockStream(request_.replicas));
    PACKTWIN_RETURN_IF_ERROR(WaitForFirstBlock());
    if (summary_.capture_id.empty()) return summary_;  // an empty log: nothing to ship
    PACKTWIN_RETURN_IF_ERROR(Resync());
    summary_.resumed_after_seq = tail_.after_seq;
    return ShipAll();
  }

 private:
  bool Stopped() const { return request_.stop && request_.stop(); }

  void Sleep() const { std::this_thread::sleep_for(std::chrono::milliseconds(request_.poll_ms)); }

  // Following a recording that is starting: its file appears in a moment.
  Status WaitForFile() {
    std::error_code ec;
    // Bounded by stop() and writer_done().
    while (request_.follow && !std::filesystem::exists(request_.db, ec)) {
      if (Stopped() || (request_.writer_done && request_.writer_done())) break;
      Sleep();
    }
    return Status::Ok();
  }

  Status WaitForFirstBlock() {
    // Bounded by stop(): a followed log that never commits waits until told.
    while (true) {
      auto first = file_->BlocksAfter(0, 1);
      if (!first.ok()) return first.status();
      if (!first->empty()) {
        summary_.capture_id = CaptureId(first->front());
        return Status::Ok();
      }
      if (!request_.follow || Stopped() || Closed()) return Status::Ok();
      Sleep();
    }
  }

  Status Resync() {
    sent_sources_ = 0;  // the next message carries the tables again
    sent_meta_.reset();
    auto tail = AskStream(*link_, subject_, summary_.capture_id);
    if (!tail.ok()) return tail.status();
    tail_ = *tail;
    return Status::Ok();
  }

  // What is left to ship, for the progress line; counted where the rest is
  // short (at the start, and when shipping has caught up), else counted down.
  Status CountPending() {
    auto pending = file_->CountAfter(tail_.after_seq);
    if (!pending.ok()) return pending.status();
    summary_.pending_blocks = *pending;
    return Status::Ok();
  }

  Result<ShipSummary> ShipAll() {
    int resyncs = 0;
    PACKTWIN_RETURN_IF_ERROR(CountPending());
    // Bounded by the log (and, following, by stop()).
    while (!Stopped()) {
      auto blocks = file_->BlocksAfter(tail_.after_seq, kBlocksPerRead);
      if (!blocks.ok()) return blocks.status();
      if (blocks->size() < kBlocksPerRead) PACKTWIN_RETURN_IF_ERROR(CountPending());
      if (blocks->empty()) {
        if (!request_.follow || Closed()) break;
        Sleep();
        continue;
      }
      auto sources = file_->Sources();
      if (!sources.ok()) return sources.status();
      auto meta = file_->Meta();
      if (!meta.ok()) return meta.status();
      for (auto& block : *blocks) {
        Status sent = Send(std::move(block), *sources, *meta);
        if (sent.IsClosed()) {
          // Another shipper of this site published in between: ask again.
          if (++resyncs > kMaxResyncs) {
            return Status::Failed(fmt::format("site {}: another shipper keeps publishing to {}; run one shipper per site",
                                              summary_.site, subject_));
          }
          PACKTWIN_RETURN_IF_ERROR(Resync());
          break;
        }
        PACKTWIN_RETURN_IF_ERROR(sent);
        if (Stopped()) break;
      }
    }
    auto rest = file_->CountAfter(tail_.after_seq);
    if (rest.ok()) summary_.pending_blocks = *rest;
    return summary_;
  }

  // A followed log is done when its recorder closed it (the stop time is set).
  bool Closed() {
    if (request_.writer_done && request_.writer_done()) return true;
    auto meta = file_->Meta();
    return meta.ok() && meta->count(eventlog::meta_key::kStoppedNs) != 0;
  }

  Status Send(eventlog::StoredBlock block, const std::vector<eventlog::SourceInfo>& sources,
              const eventlog::StoreMeta& file_meta) {
    eventlog::StoreMeta meta;
    for (const auto& [key, value] : file_meta) {
      if (ShippedMetaKey(key)) meta.emplace(key, value);
    }
    const uint64_t first = block.first_seq;
    const uint64_t last = block.last_seq;
    // The source and meta tables go when they changed since this shipper's
    // previous block (always in its first): a recorder's 100 ms blocks hold a
    // few events, and the tables would be most of every message.
    const bool sources_changed = sources.size() != sent_sources_;
    const bool meta_changed = !sent_meta_ || *sent_meta_ != meta;
    BlockMessage message{summary_.site, summary_.capture_id, std::move(block),
                         sources_changed ? sources : std::vector<eventlog::SourceInfo>{},
                         meta_changed ? meta : eventlog::StoreMeta{}, "", ""};
    if (key_) {
      auto signature = key_->Sign(SignedBlockBytes(message.site, message.capture_id, first, last, message.block.hash));
      if (!signature.ok()) return signature.status();
      message.signature = std::move(*signature);
      message.key_id = key_->id();
    }
    const std::string data = EncodeBlockMessage(message);
    if (static_cast<int64_t>(data.size()) > link_->MaxPayload()) {
      return Status::InvalidArgument(fmt::format(
          "{}: block seq {} to {} is {} bytes; the server takes at most {} (max_payload): raise max_payload in the "
          "server configuration (deploy/nats/ uses 8MB)",
          request_.db, first, last, data.size(), link_->MaxPayload()));
    }
    const std::optional<uint64_t> expected = request_.leaf ? std::nullopt : std::optional<uint64_t>(tail_.subject_seq);
    auto published = link_->Publish(subject_, data, BlockMessageId(summary_.site, summary_.capture_id, first), expected);
    if (!published.ok()) return published.status();
    sent_sources_ = sources.size();
    sent_meta_ = meta;
    if (published->duplicate) {
      ++summary_.duplicates;
      PACKTWIN_RETURN_IF_ERROR(Resync());  // the subject's last sequence is not this ack's
      if (tail_.after_seq < last) tail_.after_seq = last;
    } else {
      ++summary_.blocks;
      summary_.events += last - first + 1;
      tail_ = {last, published->stream_seq};
    }
    if (summary_.pending_blocks > 0) --summary_.pending_blocks;
    if (progress_) progress_(summary_);
    return Status::Ok();
  }

  const ShipRequest& request_;
  const std::function<void(const ShipSummary&)>& progress_;
  std::unique_ptr<eventlog::BlockFile> file_;
  std::unique_ptr<NatsLink> link_;
  std::unique_ptr<SiteKey> key_;
  size_t sent_sources_ = 0;
  std::optional<eventlog::StoreMeta> sent_meta_;
  std::string subject_;
  StreamTail tail_;
  ShipSummary summary_;
};

}  // namespace

Result<ShipSummary> Ship(const ShipRequest& request, const std::function<void(const ShipSummary&)>& progress) {
  return Shipper(request, progress).Run();
}

}  // namespace packtwin::fleet
