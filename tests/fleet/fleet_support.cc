#include "fleet_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/nats_link.h"
#include "test_support.h"

namespace packtwin::testing {

// A simulated site log re-written with `per_block` events a block, so
// shipping it takes many messages (a recorder commits every 100 ms).
void SmallBlockLog(const std::string& path, const std::string& site, const std::string& duration, size_t per_block) {
  const std::string simulated = path + ".sim.db";
  auto made = Packtwin({"simulate", "--packs", "2", "--duration", duration, "--site", site, "-o", simulated, "--force"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto reader = eventlog::EventReader::Open(simulated);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  eventlog::WriterOptions options;
  options.site = site;
  options.tool_version = "test";
  options.background_commits = false;
  options.durable = false;
  options.max_batch_events = per_block;
  auto writer = eventlog::EventWriter::Create(path, options);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  Status copied = eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    auto seq = (*writer)->Append(event);
    if (!seq.ok()) return seq.status();
    return true;
  });
  ASSERT_TRUE(copied.ok()) << copied.message();
  ASSERT_TRUE((*writer)->Close().ok());
  std::filesystem::remove(simulated);
}

// Events of a live recording: CAN frames 1 ms apart from `from`.
void AppendFrames(eventlog::EventWriter& writer, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    v1::Event event;
    event.set_wall_time_ns(1'000'000'000LL + i * 1'000'000LL);
    event.set_capture_time_ns(event.wall_time_ns());
    event.set_source("can0");
    event.mutable_can_frame()->set_id(0x100u + static_cast<uint32_t>(i % 16));
    event.mutable_can_frame()->set_data(std::string(8, static_cast<char>(i)));
    ASSERT_TRUE(writer.Append(event).ok());
    if (i % 200 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
}

std::string ChainHead(const std::string& db) {
  auto verified = Packtwin({"verify", db, "--json"});
  if (verified.exit_code != 0) return "verify exit " + std::to_string(verified.exit_code) + ": " + verified.out + verified.err;
  return nlohmann::json::parse(verified.out)["head"];
}

std::string Digest(const std::string& db) {
  auto digest = Packtwin({"digest", db});
  return digest.exit_code == 0 ? digest.out.substr(0, digest.out.find(' ')) : "digest failed: " + digest.err;
}

// The one collected capture of `site` under `dir`.
std::string CollectedLog(const std::string& dir, const std::string& site) {
  std::string found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/" + site, ec)) {
    if (entry.path().extension() == ".db") found = entry.path().string();
  }
  return found;
}


// The last event seq the block stream at `url` holds of `site` (0: none).
uint64_t LastShippedSeq(const std::string& url, const std::string& site) {
  auto spec = fleet::ParseNatsUrl(url);
  auto link = fleet::NatsLink::Connect(*spec);
  if (!link.ok()) return 0;
  auto last = (*link)->LastOnSubject(fleet::BlockSubject(site));
  if (!last.ok() || !last->has_value()) return 0;
  auto message = fleet::DecodeBlockMessage((*last)->data);
  return message.ok() ? message->block.last_seq : 0;
}

bool WaitForShippedSeq(const std::string& url, const std::string& site, uint64_t seq, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (LastShippedSeq(url, site) >= seq) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}


}  // namespace packtwin::testing
