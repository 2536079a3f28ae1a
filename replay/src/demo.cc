#include "packtwin/replay/demo.h"

#include <fmt/format.h>

#include <filesystem>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/importer.h"
#include "packtwin/eventlog/store_info.h"
#include "packtwin/eventlog/time_spec.h"
#include "packtwin/twin/frame_names.h"

namespace packtwin::replay {
namespace {

Status PrintFirstFrames(EventReader& reader, int count, std::ostream& out) {
  auto cursor = reader.FromSeq(0);
  if (!cursor.ok()) return cursor.status();
  StoredEvent row;
  // Bounded by `count` frames or the end of the log.
  for (int shown = 0; shown < count;) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    auto event = DecodeEvent(row);
    if (!event.ok()) return event.status();
    if (!event->has_can_frame()) continue;
    const char* name = twin::AlfasparkFrameName(event->can_frame());
    out << fmt::format("  {:>4}  {}  {:<6} {:<24} {}\n", event->seq(), FormatUtc(event->wall_time_ns()),
                       event->can_frame().channel(), FormatCandumpFrame(event->can_frame()), name ? name : "");
    ++shown;
  }
  return Status::Ok();
}

}  // namespace

Status RunDemo(const DemoRequest& request, std::ostream& out) {
  const std::string db = (std::filesystem::path(request.work_dir) / "demo.db").string();
  ImportRequest import;
  import.inputs = {request.capture};
  import.output = db;
  import.site = "demo";
  import.tool_version = request.tool_version;
  import.force = true;  // the demo's own scratch file
  auto imported = ImportLogs(import);
  if (!imported.ok()) return imported.status();
  out << fmt::format("$ packtwin import {} -o {} --site demo --force\n", request.capture, db);
  out << fmt::format("imported {} frames ({} gaps) into {}\n\n", imported->frames, imported->gaps, db);

  auto reader = EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  auto info = CollectInfo(**reader);
  if (!info.ok()) return info.status();
  out << fmt::format("$ packtwin info {}\n{}\n", db, InfoAsText(*info));
  out << fmt::format("first {} frames (seq, time, channel, frame, protocol v1 name):\n", request.first_frames);
  return PrintFirstFrames(**reader, request.first_frames, out);
}

}  // namespace packtwin::replay
