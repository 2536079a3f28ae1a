#include "packtwin/fleet/block_message.h"

#include <fmt/format.h>

#include <climits>

#include "packtwin/v1/shipped_block.pb.h"

namespace packtwin::fleet {

bool ShippedMetaKey(const std::string& key) {
  namespace k = eventlog::meta_key;
  for (const char* known : {k::kSite, k::kToolVersion, k::kStartedNs, k::kStoppedNs, k::kCandumpDigits, k::kCandumpWidth,
                            k::kCandumpSecondsWidth}) {
    if (key == known) return true;
  }
  return false;
}

std::string EncodeBlockMessage(const BlockMessage& message) {
  v1::ShippedBlock out;
  out.set_site(message.site);
  out.set_capture_id(message.capture_id);
  out.set_first_seq(message.block.first_seq);
  out.set_last_seq(message.block.last_seq);
  out.set_min_wall_ns(message.block.min_wall_ns);
  out.set_max_wall_ns(message.block.max_wall_ns);
  out.set_kinds(message.block.kinds);
  out.set_body(message.block.body);
  out.set_hash(message.block.hash);
  for (const auto& source : message.sources) {
    auto* s = out.add_sources();
    s->set_id(source.id);
    s->set_name(source.name);
    s->set_config(source.config);
  }
  for (const auto& [key, value] : message.meta) (*out.mutable_meta())[key] = value;
  out.set_signature(message.signature);
  out.set_key_id(message.key_id);
  std::string data;
  out.SerializeToString(&data);
  return data;
}

Result<BlockMessage> DecodeBlockMessage(const std::string& data) {
  v1::ShippedBlock in;
  if (data.size() > INT_MAX || !in.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Status::InvalidArgument(fmt::format("{} bytes that are not a packtwin block message", data.size()));
  }
  if (in.site().empty() || in.capture_id().empty() || in.first_seq() == 0 || in.last_seq() < in.first_seq() ||
      in.body().empty() || in.hash().size() != 32) {
    return Status::InvalidArgument(fmt::format(
        "a packtwin block message without a site, capture, seq range, records or 32-byte hash (site '{}', seq {} to {})",
        in.site(), in.first_seq(), in.last_seq()));
  }
  BlockMessage message;
  message.site = in.site();
  message.capture_id = in.capture_id();
  message.block.first_seq = in.first_seq();
  message.block.last_seq = in.last_seq();
  message.block.min_wall_ns = in.min_wall_ns();
  message.block.max_wall_ns = in.max_wall_ns();
  message.block.kinds = in.kinds();
  message.block.body = in.body();
  message.block.hash = in.hash();
  for (const auto& source : in.sources()) message.sources.push_back({source.id(), source.name(), source.config()});
  for (const auto& [key, value] : in.meta()) message.meta[key] = value;
  message.signature = in.signature();
  message.key_id = in.key_id();
  return message;
}

std::string CaptureId(const eventlog::StoredBlock& first_block) {
  std::string id;
  for (size_t i = 0; i < 8 && i < first_block.hash.size(); ++i) {
    id += fmt::format("{:02x}", static_cast<unsigned char>(first_block.hash[i]));
  }
  return id;
}

std::string BlockMessageId(const std::string& site, const std::string& capture_id, uint64_t first_seq) {
  return fmt::format("{}.{}.{}", site, capture_id, first_seq);
}

}  // namespace packtwin::fleet
