#include "packtwin/fleet/collect.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "packtwin/eventlog/event_writer.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/site_key.h"

namespace packtwin::fleet {
namespace {

// A batch's blocks are committed together, then acknowledged: one fsync per
// log a batch touches, not per block (recorder-sized blocks hold a few events).
constexpr int kFetchBatch = 64;
constexpr int64_t kFetchWait_ms = 500;
// What a collector that died left unacknowledged comes again after this long.
constexpr int64_t kAckWait_ms = 10'000;
// A block that came before the blocks it follows (they went to a collector
// that died and come again after the ack wait) is asked for again this late.
constexpr int64_t kEarlyBlockRetry_ms = 1'000;

class Collector {
 public:
  Collector(const CollectRequest& request, const std::function<void(const std::string&)>& warn,
            const std::function<void(const CollectSummary&)>& progress)
      : request_(request), warn_(warn), progress_(progress) {}

  Result<CollectSummary> Run() {
    std::error_code ec;
    std::filesystem::create_directories(request_.out_dir, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", request_.out_dir, ec.message()));
    auto link = NatsLink::Connect(request_.nats);
    if (!link.ok()) return link.status();
    link_ = std::move(*link);
    PACKTWIN_RETURN_IF_ERROR(link_->EnsureBlockStream(request_.replicas));
    PACKTWIN_RETURN_IF_ERROR(Subscribe());
    Status ran = Loop();
    Status closed = CloseAll();
    PACKTWIN_RETURN_IF_ERROR(ran);
    PACKTWIN_RETURN_IF_ERROR(closed);
    return summary_;
  }

 private:
  Status Subscribe() { return link_->Subscribe(kBlockStream, kBlockSubjects, request_.durable, kAckWait_ms); }

  Status Loop() {
    using Clock = std::chrono::steady_clock;
    auto last_message = Clock::now();
    // Bounded by stop() or the idle limit.
    while (!(request_.stop && request_.stop())) {
      auto batch = link_->Fetch(kFetchBatch, kFetchWait_ms);
      if (!batch.ok()) return batch.status();
      size_t early = 0;
      std::vector<Delivery*> held;  // appended or already held: acknowledged after the commit
      for (auto& delivery : *batch) {
        early_ = false;
        auto hold = Handle(*delivery);
        if (!hold.ok()) return hold.status();
        if (*hold) held.push_back(delivery.get());
        early += early_ ? 1 : 0;
      }
      PACKTWIN_RETURN_IF_ERROR(CommitTouched());
      for (Delivery* delivery : held) Ack(*delivery);
      if (progress_ && !batch->empty()) progress_(summary_);
      // Progress is a message taken; a block asked for again later is not.
      if (batch->size() > early) {
        last_message = Clock::now();
        continue;
      }
      const auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_message).count();
      // Idle means nothing left to come: blocks a dead collector held come
      // back after the ack wait (give up waiting for them after two).
      if (request_.idle_exit_ms >= 0 && idle_ms >= request_.idle_exit_ms &&
          (link_->Outstanding(kBlockStream, request_.durable) == 0 || idle_ms >= request_.idle_exit_ms + 2 * kAckWait_ms)) {
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // True when the message is to be acknowledged once the batch is committed.
  Result<bool> Handle(Delivery& msg) {
    auto message = DecodeBlockMessage(msg.Data());
    if (!message.ok()) {
      ++summary_.not_blocks;
      if (warn_) warn_(fmt::format("{}: {}; dropped from this consumer", msg.Subject(), message.status().message()));
      msg.Term();
      return false;
    }
    if (CheckSiteName(message->site).ok() && BlockSubject(message->site) != msg.Subject()) {
      return Terminate(msg, *message, fmt::format("came on {}, not the site's own subject", msg.Subject()));
    }
    if (!CheckSiteName(message->site).ok()) return Terminate(msg, *message, "has a site name that is not a subject token");
    if (::fnmatch(request_.sites_glob.c_str(), message->site.c_str(), 0) != 0) return true;
    SiteCollected& site = summary_.sites[message->site];
    if (!site.quarantined.empty()) {
      msg.Term();
      return false;
    }
    if (!request_.keys_dir.empty()) {
      auto signed_by_site = CheckSignature(*message);
      if (!signed_by_site.ok()) return Quarantine(msg, *message, &site, signed_by_site.message());
    }
    auto writer = WriterFor(*message, &site);
    if (!writer.ok()) return writer.status();
    auto appended = (*writer)->AppendStoredBlock(message->block, message->sources);
    if (!appended.ok()) {
      if (appended.status().code() == StatusCode::kInvalidArgument) {
        // Blocks before it are missing: they come again after the ack wait
        // (a collector that died had them). This one comes again meanwhile.
        if (warn_ && waiting_.insert(message->site).second) {
          warn_(fmt::format("site {}: {}; waiting for them to come again", message->site, appended.status().message()));
        }
        msg.NakWithDelay(kEarlyBlockRetry_ms);
        early_ = true;
        return false;
      }
      if (appended.status().IsCorruption()) return Quarantine(msg, *message, &site, appended.status().message());
      msg.Nak();  // our disk, not the block: it comes again
      return appended.status();
    }
    if (*appended) {
      for (const auto& [key, value] : message->meta) {
        if (ShippedMetaKey(key)) PACKTWIN_RETURN_IF_ERROR((*writer)->SetMeta(key, value));
      }
      touched_.insert(*writer);
      ++site.blocks;
      ++summary_.blocks;
      site.events += message->block.last_seq - message->block.first_seq + 1;
    } else {
      ++site.duplicates;
      ++summary_.duplicates;
    }
    return true;
  }

  Status CommitTouched() {
    for (eventlog::EventWriter* writer : touched_) PACKTWIN_RETURN_IF_ERROR(writer->Commit());
    touched_.clear();
    return Status::Ok();
  }

  // Ok when the block is signed by the key registered for its site.
  Status CheckSignature(const BlockMessage& message) {
    const std::string path = (std::filesystem::path(request_.keys_dir) / (message.site + ".pub")).string();
    auto found = keys_.find(path);
    if (found == keys_.end()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        return Status::InvalidArgument(fmt::format("no public key registered for site {} ({} is missing)", message.site, path));
      }
      auto key = SiteKey::LoadPublic(path);
      if (!key.ok()) return key.status();
      found = keys_.emplace(path, std::move(*key)).first;
    }
    const SiteKey& key = *found->second;
    const std::string range = fmt::format("block seq {} to {}", message.block.first_seq, message.block.last_seq);
    if (message.signature.empty()) {
      return Status::InvalidArgument(fmt::format("{} is not signed (the site's bridge ships with --key)", range));
    }
    const std::string bytes = SignedBlockBytes(message.site, message.capture_id, message.block.first_seq,
                                               message.block.last_seq, message.block.hash);
    if (!key.Verify(bytes, message.signature)) {
      return Status::InvalidArgument(fmt::format(
          "{}: the signature does not verify against {} (key {}; the block names key {}): forged, altered, or "
          "shipped under another site's name",
          range, path, key.id(), message.key_id.empty() ? "none" : message.key_id));
    }
    return Status::Ok();
  }

  void Ack(Delivery& msg) {
    // Not confirmed: the block comes again and is recognised as held.
    if (!msg.Ack() && warn_) warn_("a block's acknowledgement was not confirmed; it will come again and be skipped");
  }

  bool Terminate(Delivery& msg, const BlockMessage& message, const std::string& why) {
    ++summary_.not_blocks;
    if (warn_) warn_(fmt::format("a block of site '{}' {}; dropped from this consumer", message.site, why));
    msg.Term();
    return false;
  }

  bool Quarantine(Delivery& msg, const BlockMessage& message, SiteCollected* site, const std::string& why) {
    site->quarantined = fmt::format("capture {}: {}", message.capture_id, why);
    if (warn_) {
      warn_(fmt::format("site {} quarantined at seq {}: {}; its later blocks are not merged, the other sites go on",
                        message.site, message.block.first_seq, site->quarantined));
    }
    msg.Term();
    return false;
  }

  Result<eventlog::EventWriter*> WriterFor(const BlockMessage& message, SiteCollected* site) {
    const std::filesystem::path dir = std::filesystem::path(request_.out_dir) / message.site;
    const std::string path = (dir / (message.capture_id + ".db")).string();
    auto found = writers_.find(path);
    if (found != writers_.end()) return found->second.get();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
    eventlog::WriterOptions options;
    options.background_commits = false;
    options.durable = true;
    auto site_meta = message.meta.find(eventlog::meta_key::kSite);
    auto tool = message.meta.find(eventlog::meta_key::kToolVersion);
    options.site = site_meta != message.meta.end() ? site_meta->second : message.site;
    options.tool_version = tool != message.meta.end() ? tool->second : "";
    auto writer = std::filesystem::exists(path, ec) ? eventlog::EventWriter::OpenExisting(path, options)
                                                    : eventlog::EventWriter::Create(path, options);
    if (!writer.ok()) return writer.status();
    site->path = path;
    return (writers_[path] = std::move(*writer)).get();
  }

  Status CloseAll() {
    Status first = Status::Ok();
    for (auto& [path, writer] : writers_) {
      Status closed = writer->Close();
      if (first.ok() && !closed.ok()) first = closed.Context(path + ": ");
    }
    writers_.clear();
    return first;
  }

  const CollectRequest& request_;
  const std::function<void(const std::string&)>& warn_;
  const std::function<void(const CollectSummary&)>& progress_;
  std::unique_ptr<NatsLink> link_;
  std::map<std::string, std::unique_ptr<eventlog::EventWriter>> writers_;
  std::map<std::string, std::unique_ptr<SiteKey>> keys_;
  std::set<eventlog::EventWriter*> touched_;  // appended to since the last commit
  std::set<std::string> waiting_;              // sites told they wait for earlier blocks
  bool early_ = false;                         // the message handled last came before its predecessors
  CollectSummary summary_;
};

}  // namespace

Result<CollectSummary> Collect(const CollectRequest& request, const std::function<void(const std::string&)>& warn,
                               const std::function<void(const CollectSummary&)>& progress) {
  return Collector(request, warn, progress).Run();
}

}  // namespace packtwin::fleet
