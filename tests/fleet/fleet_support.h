// What the fleet tests share: site logs made for shipping, what a log's
// chain head and digest are, where collect put a site's capture, and what a
// stream holds of a site.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "packtwin/eventlog/event_writer.h"

namespace packtwin::testing {

// A simulated site log re-written with `per_block` events a block, so
// shipping it takes many messages (a recorder commits every 100 ms).
void SmallBlockLog(const std::string& path, const std::string& site, const std::string& duration, size_t per_block);
// Events of a live recording: CAN frames 1 ms apart from `from`.
void AppendFrames(eventlog::EventWriter& writer, int from, int count);
std::string ChainHead(const std::string& db);
std::string Digest(const std::string& db);
// The one collected capture of `site` under `dir`.
std::string CollectedLog(const std::string& dir, const std::string& site);
// The last event seq the block stream at `url` holds of `site` (0: none).
uint64_t LastShippedSeq(const std::string& url, const std::string& site);
bool WaitForShippedSeq(const std::string& url, const std::string& site, uint64_t seq, int timeout_ms);

}  // namespace packtwin::testing

// Fails the test at once when the servers did not start, saying why.
#define REQUIRE_CLUSTER(cluster) \
  ASSERT_TRUE((cluster).ready()) << (cluster).why_not_ready()

