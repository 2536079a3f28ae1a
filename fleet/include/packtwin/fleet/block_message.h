// The message `ship` publishes for one block and `collect` reads back.
#pragma once

#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/eventlog/stored_block.h"

namespace packtwin::fleet {

struct BlockMessage {
  std::string site;
  std::string capture_id;
  eventlog::StoredBlock block;
  std::vector<eventlog::SourceInfo> sources;
  eventlog::StoreMeta meta;
  std::string signature;  // empty: unsigned
  std::string key_id;
};

// The meta that travels with a log's blocks and that a collected log copies:
// what describes the capture. Its chain head, count and schema the collected
// log computes itself, and keys it does not know (anyone may publish a
// message) it leaves out.
bool ShippedMetaKey(const std::string& key);

std::string EncodeBlockMessage(const BlockMessage& message);
// Untrusted bytes: an error says what does not hold.
Result<BlockMessage> DecodeBlockMessage(const std::string& data);

// A capture's id: the first 16 hex digits of its first block's chain hash.
std::string CaptureId(const eventlog::StoredBlock& first_block);
// The JetStream message id: "<site>.<capture>.<first seq>": a resend is stored once.
std::string BlockMessageId(const std::string& site, const std::string& capture_id, uint64_t first_seq);

}  // namespace packtwin::fleet
