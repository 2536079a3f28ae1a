// The store's side of bench/compare, on the same input as the peer tools:
//   store_tool append LOG OUT.db   parse LOG first (untimed), then time the
//                                  durable appends (batched commits, fsync)
//   store_tool read DB             time reading every event back (decoded)
//   store_tool reblock DB OUT.db N [BLOCKS]
//                                  the same events in blocks of N (the fleet
//                                  bench ships logs as record commits them);
//                                  only the first BLOCKS blocks when given
// Prints the timed seconds and the count as JSON.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/event_writer.h"

namespace packtwin {
namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Append(const std::string& log, const std::string& db) {
  std::vector<v1::Event> events;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    auto parsed = eventlog::ParseCandumpLine(line);
    const auto* ok = std::get_if<eventlog::CandumpLine>(&parsed);
    const auto* frame = ok != nullptr ? std::get_if<eventlog::CandumpFrameLine>(ok) : nullptr;
    if (frame == nullptr) continue;
    v1::Event event;
    event.set_wall_time_ns(frame->time_ns);
    event.set_capture_time_ns(frame->time_ns);
    event.set_source(frame->frame.channel());
    *event.mutable_can_frame() = frame->frame;
    events.push_back(std::move(event));
  }
  std::filesystem::remove(db);
  eventlog::WriterOptions options;  // durable: fsync'd batches every 100 ms, as `record` writes
  auto writer = eventlog::EventWriter::Create(db, options);
  if (!writer.ok()) {
    fmt::print(stderr, "{}\n", writer.status().message());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto& event : events) {
    if (!(*writer)->Append(std::move(event)).ok()) return 1;
  }
  if (!(*writer)->Close().ok()) return 1;
  fmt::print("{{\"seconds\": {:.6f}, \"events\": {}}}\n", Seconds(start), events.size());
  return 0;
}

int Read(const std::string& db) {
  const auto start = std::chrono::steady_clock::now();
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return 1;
  uint64_t events = 0;
  uint64_t id_sum = 0;
  Status walked = eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    ++events;
    id_sum += event.can_frame().id();
    return true;
  });
  if (!walked.ok()) return 1;
  fmt::print("{{\"seconds\": {:.6f}, \"events\": {}, \"id_sum\": {}}}\n", Seconds(start), events, id_sum);
  return 0;
}

int Reblock(const std::string& db, const std::string& out, size_t per_block, uint64_t max_blocks) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok() || per_block == 0) return 1;
  auto meta = (*reader)->Meta();
  std::filesystem::remove(out);
  eventlog::WriterOptions options;
  options.site = meta.ok() ? (*meta)[eventlog::meta_key::kSite] : "";
  options.tool_version = "store_tool";
  options.background_commits = false;
  options.durable = false;
  options.max_batch_events = per_block;
  auto writer = eventlog::EventWriter::Create(out, options);
  if (!writer.ok()) return 1;
  uint64_t events = 0;
  Status copied = eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    if (max_blocks != 0 && events == max_blocks * per_block) return false;
    ++events;
    auto seq = (*writer)->Append(event);
    if (!seq.ok()) return seq.status();
    return true;
  });
  if (!copied.ok() || !(*writer)->Close().ok()) return 1;
  fmt::print("{{\"events\": {}, \"per_block\": {}}}\n", events, per_block);
  return 0;
}

}  // namespace
}  // namespace packtwin

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "append" && argc == 4) return packtwin::Append(argv[2], argv[3]);
  if (mode == "read" && argc == 3) return packtwin::Read(argv[2]);
  if (mode == "reblock" && (argc == 5 || argc == 6)) {
    return packtwin::Reblock(argv[2], argv[3], std::stoul(argv[4]), argc == 6 ? std::stoull(argv[5]) : 0);
  }
  fmt::print(stderr, "usage: store_tool append LOG OUT.db | store_tool read DB | store_tool reblock DB OUT.db N [BLOCKS]\n");
  return 64;
}
