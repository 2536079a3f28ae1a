#include "packtwin/eventlog/exporter.h"

#include <fmt/format.h>

#include <algorithm>

#include <charconv>
#include <fstream>
#include <map>

#include "packtwin/eventlog/asc_format.h"
#include "packtwin/base/atomic_path.h"
#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/chain_watch.h"
#include "packtwin/eventlog/event_reader.h"
#include "export_sink.h"

namespace packtwin::eventlog {
namespace {

constexpr uint64_t kProgressEvery = 16384;

int64_t MetaInt(const StoreMeta& meta, const char* key, int64_t fallback) {
  auto found = meta.find(key);
  if (found == meta.end()) return fallback;
  int64_t value = fallback;
  const std::string& text = found->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : fallback;
}

class CandumpSink : public Sink {
 public:
  CandumpSink(std::ostream& out, const CandumpStyle& style) : out_(out), style_(style) {}
  bool Write(const v1::Event& event) override {
    if (event.has_can_frame()) {
      out_ << FormatCandumpLine(event.wall_time_ns(), style_, event.can_frame());
      return true;
    }
    if (event.has_gap()) {
      out_ << FormatCandumpDropLine({event.gap().source(), event.gap().frames_lost(), event.gap().total_lost()});
      return true;
    }
    return false;
  }

 private:
  std::ostream& out_;
  CandumpStyle style_;
};

class AscSink : public Sink {
 public:
  explicit AscSink(std::ostream& out) : out_(out) {}
  void Begin(int64_t first_wall_ns) override {
    // Whole seconds in the header; each line carries the exact offset from it.
    start_ns_ = first_wall_ns - first_wall_ns % 1'000'000'000;
    out_ << FormatAscHeader(start_ns_);
  }
  bool Write(const v1::Event& event) override {
    if (!event.has_can_frame()) return false;
    out_ << FormatAscFrame(event.wall_time_ns() - start_ns_, Channel(event.can_frame().channel()), event.can_frame());
    return true;
  }
  void End() override { out_ << FormatAscFooter(); }

 private:
  // "canN" keeps channel N+1, as asc2log and python-can read it back; other
  // names get the next free number.
  uint32_t Channel(const std::string& name) {
    auto found = channels_.find(name);
    if (found != channels_.end()) return found->second;
    uint32_t channel = 0;
    if (name.starts_with("can") && name.size() > 3 && name.size() <= 6) {
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(name.data() + 3, name.data() + name.size(), n);
      if (ec == std::errc() && end == name.data() + name.size() && n < 254 && !Taken(n + 1)) channel = n + 1;
    }
    for (uint32_t candidate = 1; channel == 0 && candidate < 256; ++candidate) {
      if (!Taken(candidate)) channel = candidate;
    }
    channels_[name] = channel;
    return channel;
  }
  bool Taken(uint32_t channel) const {
    for (const auto& [name, used] : channels_) {
      if (used == channel) return true;
    }
    return false;
  }

  std::ostream& out_;
  int64_t start_ns_ = 0;
  std::map<std::string, uint32_t> channels_;
};

class JsonlSink : public Sink {
 public:
  JsonlSink(std::ostream& out, FrameDescriber describe) : out_(out), describe_(std::move(describe)) {}
  bool Write(const v1::Event& event) override {
    out_ << EventToJsonLine(event, describe_);
    return true;
  }

 private:
  std::ostream& out_;
  FrameDescriber describe_;
};

bool PickedFrame(const ExportRequest& request, const v1::Event& event) {
  if (!event.has_can_frame()) return false;
  if (request.ids && request.ids->Contains(event.can_frame().id())) return true;
  if (request.frames.empty() || !request.frame_name) return false;
  const char* name = request.frame_name(event.can_frame());
  return name != nullptr && request.frames.contains(name);
}

bool Selected(const ExportRequest& request, const v1::Event& event, int64_t from_ns, int64_t to_ns) {
  if (request.from && event.wall_time_ns() < from_ns) return false;
  if (request.to && event.wall_time_ns() >= to_ns) return false;
  if (request.ids || !request.frames.empty()) return PickedFrame(request, event);
  return true;
}

// Formats other tools read as interfaces get SocketCAN-style names; JSON lines keep the recorded channel.
void NameInterfaces(ExportRequest& request, v1::Event* event) {
  if (request.format == ExportFormat::kJsonl || request.format == ExportFormat::kCsv) return;
  if (event->has_can_frame()) {
    event->mutable_can_frame()->set_channel(request.interfaces.For(event->can_frame().channel()));
  } else if (event->has_gap()) {
    event->mutable_gap()->set_source(request.interfaces.For(event->gap().source()));
  }
}

std::unique_ptr<Sink> MakeSink(const ExportRequest& request, const StoreMeta& meta, std::ostream& out) {
  switch (request.format) {
    case ExportFormat::kCandump: {
      const int digits = request.timestamp_digits != 0
                             ? request.timestamp_digits
                             : static_cast<int>(MetaInt(meta, meta_key::kCandumpDigits, 6));
      CandumpStyle style;
      style.timestamp_digits = digits == 9 ? 9 : 6;
      style.interface_width = static_cast<size_t>(MetaInt(meta, meta_key::kCandumpWidth, 0));
      style.seconds_width = static_cast<size_t>(
          std::clamp<int64_t>(MetaInt(meta, meta_key::kCandumpSecondsWidth, kCandumpPaddedSecondsDigits), 0, 20));
      return std::make_unique<CandumpSink>(out, style);
    }
    case ExportFormat::kAsc:
      return std::make_unique<AscSink>(out);
    case ExportFormat::kJsonl:
      return std::make_unique<JsonlSink>(out, request.describe);
    case ExportFormat::kCsv:
      return MakeCsvSink(out, {request.csv_columns, request.every_ns, request.describe});
    case ExportFormat::kPcapng: {
      auto found = meta.find(meta_key::kSite);
      auto version = meta.find(meta_key::kToolVersion);
      return MakePcapngSink(out, {found == meta.end() ? "" : found->second,
                                  version == meta.end() ? "" : version->second, request.tool_version});
    }
  }
  return nullptr;
}

}  // namespace

Result<ExportSummary> ExportEvents(const ExportRequest& given, std::ostream& out, const ProgressFn& progress) {
  ExportRequest request = given;  // its interface names fill in as channels appear
  auto reader = EventReader::Open(request.db);
  if (!reader.ok()) return reader.status();
  auto meta = (*reader)->Meta();
  if (!meta.ok()) return meta.status();
  auto counts = (*reader)->Counts();
  if (!counts.ok()) return counts.status();
  const int64_t start_ns = counts->first_wall_ns;
  const int64_t from_ns = request.from ? request.from->Resolve(start_ns) : INT64_MIN;
  const int64_t to_ns = request.to ? request.to->Resolve(start_ns) : INT64_MAX;
  uint64_t first_seq = 0;
  uint64_t last_seq = UINT64_MAX;
  if (request.around_seq) {
    if (*request.around_seq < 1 || *request.around_seq > counts->events) {
      return Status::InvalidArgument(fmt::format("--around {}: {} holds events 1 to {}", *request.around_seq, request.db,
                                                 counts->events));
    }
    first_seq = *request.around_seq > request.context ? *request.around_seq - request.context : 1;
    last_seq = *request.around_seq + std::min(request.context, UINT64_MAX - *request.around_seq);
  }
  auto cursor = request.from ? (*reader)->FromWallTime(from_ns) : (*reader)->FromSeq(first_seq);
  if (!cursor.ok()) return cursor.status();

  auto sink = MakeSink(request, *meta, out);
  ExportSummary summary;
  StoredEvent row;
  v1::Event event;  // reused: decoding into it keeps its buffers
  uint64_t seen = 0;
  bool begun = false;
  ChainWatch watch(**reader, !request.from && !request.around_seq);
  while (true) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) {
      PACKTWIN_RETURN_IF_ERROR(watch.Finish());
      break;
    }
    if (row.seq > last_seq) {
      PACKTWIN_RETURN_IF_ERROR(watch.Drain());
      break;
    }
    PACKTWIN_RETURN_IF_ERROR(watch.Follow(row));
    if (progress && ++seen % kProgressEvery == 0) progress(seen, 0);
    if (row.damaged) {
      if (!request.skip_located_damage) return LocatedDamage(request.db, row.seq);
      (*reader)->NoteSkippedDamaged(row.seq);
      continue;
    }
    if (Status decoded = DecodeEventInto(row, &event); !decoded.ok()) return decoded.Context(request.db + ": ");
    if (!Selected(request, event, from_ns, to_ns)) continue;
    NameInterfaces(request, &event);
    if (!begun) {
      sink->Begin(event.wall_time_ns());
      begun = true;
    }
    if (sink->Write(event)) {
      ++summary.written;
    } else {
      ++summary.skipped;
    }
  }
  summary.skipped_damaged = (*reader)->skipped_damaged();
  if (!begun) sink->Begin(request.from ? from_ns : start_ns);
  sink->End();
  out.flush();
  if (!out) return Status::IoError("writing the export failed (disk full or closed pipe?)");
  return summary;
}

Result<ExportSummary> ExportEventsToFile(const ExportRequest& request, const std::string& path, bool force,
                                        const ProgressFn& progress) {
  auto target = AtomicPath::Prepare(path, OutputRules{force, {request.db}, true});
  if (!target.ok()) return target.status();
  Result<ExportSummary> summary = Status::Failed("not run");
  {
    std::ofstream out(target->temp_path(), std::ios::binary);
    if (!out) return Status::IoError(fmt::format("{}: cannot create", target->temp_path()));
    summary = ExportEvents(request, out, progress);
    out.close();
    if (summary.ok() && !out) return Status::IoError(fmt::format("{}: write failed (disk full?)", path));
  }
  if (!summary.ok()) return summary;
  PACKTWIN_RETURN_IF_ERROR(target->Commit());
  return summary;
}

}  // namespace packtwin::eventlog
