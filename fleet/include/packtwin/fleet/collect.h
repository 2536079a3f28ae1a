// `packtwin collect`: a durable JetStream consumer that rebuilds each site's
// capture as its own packtwin log, block by block, checking the chain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/fleet/nats_link.h"

namespace packtwin::fleet {

struct CollectRequest {
  NatsSpec nats;
  std::string out_dir;
  std::string sites_glob = "*";
  std::string durable = "packtwin-collect";
  int replicas = 1;       // of the stream, when collect is the first to create it
  // The registered public keys, DIR/SITE.pub: when given, every block must
  // carry a signature by its site's key; a site without a key, an unsigned
  // block or a signature that does not verify quarantines the site.
  std::string keys_dir;
  int idle_exit_ms = -1;  // stop after this long without a message (-1: run until stop())
  std::function<bool()> stop;
};

struct SiteCollected {
  std::string path;  // the capture last written (DIR/SITE/CAPTURE.db)
  uint64_t blocks = 0;
  uint64_t events = 0;
  uint64_t duplicates = 0;
  std::string quarantined;  // why, when the site's blocks are refused
};

struct CollectSummary {
  std::map<std::string, SiteCollected> sites;
  uint64_t blocks = 0;
  uint64_t duplicates = 0;
  uint64_t not_blocks = 0;  // messages that are not packtwin blocks (terminated)
};

// Each block is appended (and committed) before its message is acknowledged;
// a redelivered block is recognised and acknowledged; a block that breaks a
// site's chain quarantines that site (its messages are terminated, not
// merged) and the others go on. warn() hears each quarantine as it happens.
Result<CollectSummary> Collect(const CollectRequest& request, const std::function<void(const std::string&)>& warn,
                               const std::function<void(const CollectSummary&)>& progress);

}  // namespace packtwin::fleet
