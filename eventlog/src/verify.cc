#include "packtwin/eventlog/verify.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "packtwin/eventlog/event_kind.h"

namespace packtwin::eventlog {
namespace {

constexpr uint64_t kProgressEvery = 16384;

ChainReport Broken(ChainReport report, uint64_t seq, std::string problem) {
  report.intact = false;
  report.first_bad_seq = seq;
  report.problem = std::move(problem);
  return report;
}

// Every event must decode; in schema 1 the indexed columns must also say what
// the payload says, or a query would lie.
std::optional<std::string> CheckColumns(const StoredEvent& row) {
  auto event = DecodeEvent(row);
  if (!event.ok()) return event.status().message();
  if (row.schema == 1 && (IndexedCanId(*event) != row.can_id || IndexedNode(*event) != row.node)) {
    return fmt::format("event seq {}: its indexed can_id/node columns do not match its payload", row.seq);
  }
  return std::nullopt;
}

std::optional<uint64_t> ParseCount(const StoreMeta& meta) {
  auto found = meta.find(meta_key::kEventCount);
  if (found == meta.end()) return std::nullopt;
  uint64_t count = 0;
  const std::string& text = found->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return count;
}

}  // namespace

Result<ChainReport> VerifyChain(EventReader& reader, const ProgressFn& progress) {
  auto meta = reader.Meta();
  if (!meta.ok()) return meta.status();
  auto cursor = reader.FromSeq(0);
  if (!cursor.ok()) return cursor.status();

  ChainReport report;
  Sha256Digest previous{};
  StoredEvent row;
  uint64_t expected = 1;
  uint64_t block_start = 1;
  bool block_damaged = false;
  while (true) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return Broken(report, expected, more.status().message());
    if (!*more) break;
    if (row.seq != expected) {
      return Broken(report, expected,
                    fmt::format("event seq {} is missing (the next stored event is seq {}): removed", expected, row.seq));
    }
    ++expected;
    if (progress && expected % kProgressEvery == 0) progress(expected - 1, 0);
    report.ends_with_stop = !row.damaged && row.kind == v1::Event::kCaptureStop;
    if (row.damaged) {
      // Located by its record check: named, and the chain goes on from the
      // block's stored hash so the rest of the log is still checked.
      AddSeqToRuns(&report.damaged, row.seq);
      block_damaged = true;
      if (row.hash.size() == previous.size()) {
        std::memcpy(previous.data(), row.hash.data(), previous.size());
        report.head_hex = ToHex(previous);
        block_damaged = false;
        block_start = row.seq + 1;
      }
      continue;
    }
    const Sha256Digest computed = ChainHash(
        previous, {row.seq, row.capture_ns, row.wall_ns, static_cast<uint32_t>(row.kind), row.source, row.payload});
    // Schema 2 stores the chain at each block's end: a change anywhere in a
    // block shows there, and block_start says where to look.
    if (row.schema == 1 || !row.hash.empty()) {
      const bool matches =
          row.hash.size() == computed.size() && std::memcmp(row.hash.data(), computed.data(), computed.size()) == 0;
      if (block_damaged && row.hash.size() == computed.size()) {
        std::memcpy(previous.data(), row.hash.data(), previous.size());
        report.head_hex = ToHex(previous);
        block_damaged = false;
        block_start = row.seq + 1;
        ++report.events_checked;
        continue;
      }
      if (!matches) {
        const std::string where = row.schema == 1 || block_start == row.seq
                                      ? fmt::format("event seq {}", row.seq)
                                      : fmt::format("events seq {} to {}", block_start, row.seq);
        return Broken(report, row.schema == 1 ? row.seq : block_start,
                      fmt::format("{}: the hash does not match the contents or the events before: changed or inserted",
                                  where));
      }
      block_start = row.seq + 1;
    }
    if (auto problem = CheckColumns(row)) return Broken(report, row.seq, *problem);
    previous = computed;
    report.head_hex = ToHex(computed);
    ++report.events_checked;
  }
  const uint64_t present = expected - 1;
  const auto committed = ParseCount(*meta);
  if (!committed) return Broken(report, expected, "the meta table has no valid event_count: damaged");
  if (*committed > present) {
    return Broken(report, expected,
                  fmt::format("the log recorded {} events but only {} are present: events from seq {} on were removed",
                              *committed, present, expected));
  }
  if (*committed < present) {
    return Broken(report, *committed + 1,
                  fmt::format("the log recorded {} events but {} are present: seq {} onwards were inserted",
                              *committed, present, *committed + 1));
  }
  const auto head = meta->find(meta_key::kChainHead);
  const std::string recorded_head = head == meta->end() ? "" : head->second;
  const std::string expected_head = present == 0 ? ToHex(Sha256Digest{}) : report.head_hex;
  if (recorded_head != expected_head) {
    return Broken(report, present,
                  "the recorded chain head does not match the last event: the log's end was altered");
  }
  if (!report.damaged.empty()) {
    const uint64_t events = CountSeqRuns(report.damaged);
    return Broken(report, report.damaged.begin()->first,
                  fmt::format("{} event{} failed {} record check{} ({}): changed; the rest of the log checks out",
                              events, events == 1 ? "" : "s", events == 1 ? "its" : "their", events == 1 ? "" : "s",
                              DescribeSeqRuns(report.damaged)));
  }

  report.intact = true;
  return report;
}

}  // namespace packtwin::eventlog
