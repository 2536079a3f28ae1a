// `packtwin ship`: a log's blocks, as stored, to the JetStream block stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/fleet/nats_link.h"

namespace packtwin::fleet {

struct ShipRequest {
  std::string db;
  NatsSpec nats;
  std::string site;  // empty: the log's own site name
  int replicas = 1;
  // The site's private key (packtwin keygen): every block goes signed.
  std::string key_file;
  // The server is the bridge's own leaf node, whose stream the hub sources.
  // Its blocks then go without the subject's expected last sequence:
  // nats-server 2.9 checks that header again when the hub copies the message
  // into its own stream, where the subject's sequence is another, and the
  // source stalls (later servers drop Nats-Expected-* headers when sourcing).
  // On a bridge, the one shipper of its site is the recorder.
  bool leaf = false;
  // Keep shipping blocks as a recorder commits them, until the recorder
  // closes the log (and all is shipped) or stop() says so.
  bool follow = false;
  int poll_ms = 200;
  std::function<bool()> stop;
  // Following: the writer of the log has finished (record --ship knows before
  // the log's stop time is set); the rest is shipped, then shipping ends.
  std::function<bool()> writer_done;
};

struct ShipSummary {
  std::string site;
  std::string capture_id;
  uint64_t resumed_after_seq = 0;  // what the stream already held of this capture
  uint64_t blocks = 0;             // published and acknowledged now
  uint64_t events = 0;
  uint64_t duplicates = 0;         // the stream already held them (a resend)
  uint64_t pending_blocks = 0;     // in the log, not yet shipped
};

// Ships what the stream does not hold yet: asks the stream where this
// capture ends (never a local cursor), publishes each block with a message
// id and the subject's expected last sequence, and calls progress after each.
Result<ShipSummary> Ship(const ShipRequest& request, const std::function<void(const ShipSummary&)>& progress);

}  // namespace packtwin::fleet
