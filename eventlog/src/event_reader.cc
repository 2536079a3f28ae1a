// The reader's face: opening a log of either schema, and walking its events
// with the hash chain followed (ForEachEvent).
#include "packtwin/eventlog/event_reader.h"

#include <fmt/format.h>

#include <climits>
#include <filesystem>

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
    PACKTWIN_RETURN_IF_ERROR(DecodeEventInto(row, &event));
    auto keep_going = fn(row, event);
    if (!keep_going.ok()) return keep_going.status();
    if (!*keep_going) return watch.Drain();  // what was read is verified even when the reader stops early
  }
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
