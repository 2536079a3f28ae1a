// The reader's face: opening a log of either schema, and walking its events
// with the hash chain followed (ForEachEvent).
#include "packtwin/eventlog/event_reader.h"

#include <fmt/format.h>

#include <climits>
#include <filesystem>
#include <iterator>

#include "block_codec.h"
#include "packtwin/eventlog/chain_watch.h"
#include "packtwin/eventlog/wal_check.h"
#include "reader_parts.h"
#include "store_schema.h"

namespace packtwin::eventlog {

Result<std::unique_ptr<EventReader>> EventReader::Open(const std::string& path) {
  auto opened = reader::OpenLogFile(path);
  if (!opened.ok()) return opened.status();
  if (opened->schema == 1) return reader::OpenRows(std::move(opened->db), path);
  return reader::OpenBlocks(std::move(opened->db), path);
}

Status ForEachEvent(EventReader& reader, uint64_t first_seq, const EventFn& fn) {
  ChainWatch watch(reader, first_seq <= 1);
  auto cursor = reader.FromSeq(first_seq);
  if (!cursor.ok()) return cursor.status();
  StoredEvent row;
  v1::Event event;  // reused: decoding into it keeps its buffers
  // Bounded by the log: one event per pass.
  while (true) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) return watch.Finish();
    PACKTWIN_RETURN_IF_ERROR(watch.Follow(row));
    if (row.damaged) {
      if (!reader.skips_located_damage()) return LocatedDamage(reader.path(), row.seq);
      reader.NoteSkippedDamaged(row.seq);
      continue;
    }
    PACKTWIN_RETURN_IF_ERROR(DecodeEventInto(row, &event));
    auto keep_going = fn(row, event);
    if (!keep_going.ok()) return keep_going.status();
    if (!*keep_going) return watch.Drain();  // what was read is verified even when the reader stops early
  }
}

void EventReader::NoteSkippedDamaged(uint64_t seq) { AddSeqToRuns(&skipped_damaged_, seq); }

void AddSeqToRuns(std::map<uint64_t, uint64_t>* runs, uint64_t seq) {
  auto after = runs->upper_bound(seq);
  if (after != runs->begin()) {
    auto run = std::prev(after);
    if (seq <= run->second) return;  // read before
    if (seq == run->second + 1) {
      run->second = seq;
      if (after != runs->end() && after->first == seq + 1) {
        run->second = after->second;
        runs->erase(after);
      }
      return;
    }
  }
  if (after != runs->end() && after->first == seq + 1) {
    const uint64_t last = after->second;
    runs->erase(after);
    (*runs)[seq] = last;
    return;
  }
  (*runs)[seq] = seq;
}

Status LocatedDamage(const std::string& path, uint64_t seq) {
  return Status::Corruption(
      fmt::format("{}: event seq {}: its record check fails: the event is damaged; run packtwin verify", path, seq));
}

uint64_t CountSeqRuns(const std::map<uint64_t, uint64_t>& runs) {
  uint64_t events = 0;
  for (const auto& [first, last] : runs) events += last - first + 1;
  return events;
}

std::string DescribeSeqRuns(const std::map<uint64_t, uint64_t>& runs, size_t shown) {
  std::string text;
  size_t listed = 0;
  for (const auto& [first, last] : runs) {
    if (listed == shown) return text + fmt::format(" and {} more runs", runs.size() - shown);
    if (listed++ > 0) text += ", ";
    text += first == last ? fmt::format("seq {}", first) : fmt::format("seq {} to {}", first, last);
  }
  return text;
}

Status DecodeEventInto(const StoredEvent& row, v1::Event* event) {
  bool decoded = false;
  if (row.schema == 1) {
    decoded = row.payload.size() <= INT_MAX &&
              event->ParseFromArray(row.payload.data(), static_cast<int>(row.payload.size())) &&
              event->kind_case() == row.kind;
  } else {
    if (row.kind != v1::Event::kCanFrame) event->Clear();
    decoded = block::DecodeBody(row.kind, row.payload, row.source, event);
  }
  if (!decoded) {
    return Status::Corruption(fmt::format("event seq {}: payload does not decode as its kind ({}): the file is damaged",
                                     row.seq, row.kind));
  }
  event->set_seq(row.seq);
  event->set_capture_time_ns(row.capture_ns);
  event->set_wall_time_ns(row.wall_ns);
  // Most events come from the source of the one before: no copy then.
  if (event->source() != row.source) event->set_source(std::string(row.source));
  return Status::Ok();
}

Result<v1::Event> DecodeEvent(const StoredEvent& row) {
  v1::Event event;
  PACKTWIN_RETURN_IF_ERROR(DecodeEventInto(row, &event));
  return event;
}

}  // namespace packtwin::eventlog
