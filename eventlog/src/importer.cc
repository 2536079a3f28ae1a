#include "packtwin/eventlog/importer.h"

#include <fmt/format.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "frame_stream.h"
#include "packtwin/base/atomic_path.h"
#include "packtwin/base/log_time_range.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/eventlog/store_format.h"

namespace packtwin::eventlog {
namespace {

constexpr const char* kImportSource = "import";

// One input with its next event read ahead, for the merge by time.
struct Lane {
  std::unique_ptr<FrameStream> stream;
  v1::Event next;
  bool has_next = false;
};

Status Advance(Lane& lane) {
  auto more = lane.stream->Next(&lane.next);
  if (!more.ok()) return more.status();
  lane.has_next = *more;
  // Said here, where the line is known, rather than by the writer.
  if (lane.has_next && !InLogTimeRange(lane.next.wall_time_ns())) {
    return Status::InvalidArgument(fmt::format("{}: a frame timed {}: a log holds times {}",
                                               lane.stream->Where(), FormatDisplayTime(lane.next.wall_time_ns()),
                                               kLogTimeRangeText));
  }
  return Status::Ok();
}

// The lane whose next event is earliest; ties go to the earlier input.
Lane* Earliest(std::vector<Lane>& lanes) {
  Lane* best = nullptr;
  for (auto& lane : lanes) {
    if (lane.has_next && (best == nullptr || lane.next.wall_time_ns() < best->next.wall_time_ns())) best = &lane;
  }
  return best;
}

std::string Configuration(const ImportRequest& request) {
  // File names only: the same input imported from anywhere, however its path
  // was typed, gives the same log (the same chain head).
  nlohmann::json config;
  config["import"] = nlohmann::json::array();
  for (const auto& input : request.inputs) config["import"].push_back(std::filesystem::path(input).filename().string());
  config["format"] = InputFormatName(request.format);
  return config.dump();
}

v1::Event Marker(int64_t time_ns) {
  v1::Event event;
  event.set_wall_time_ns(time_ns);
  event.set_capture_time_ns(time_ns);
  event.set_source(kImportSource);
  return event;
}

class Import {
 public:
  Import(const ImportRequest& request, const ProgressFn& progress) : request_(request), progress_(progress) {}

  Result<ImportSummary> Run() {
    if (request_.inputs.empty()) return Status::InvalidArgument("no input files given");
    auto target = AtomicPath::Prepare(request_.output, OutputRules{request_.force, request_.inputs, false});
    if (!target.ok()) return target.status();
    PACKTWIN_RETURN_IF_ERROR(OpenLanes());
    WriterOptions options;
    options.site = request_.site;
    options.tool_version = request_.tool_version;
    // The writer's thread chains and writes blocks while this one parses;
    // blocks end only when full, so the same input gives the same file.
    options.background_commits = true;
    options.commit_interval_ms = 0;
    options.durable = false;  // the file is renamed into place only once complete
    auto writer = EventWriter::Create(target->temp_path(), options);
    if (!writer.ok()) return writer.status();
    writer_ = writer->get();
    PACKTWIN_RETURN_IF_ERROR(CopyEvents());
    PACKTWIN_RETURN_IF_ERROR(WriteMeta());
    PACKTWIN_RETURN_IF_ERROR(writer_->Close());
    PACKTWIN_RETURN_IF_ERROR(target->Commit());
    return summary_;
  }

 private:
  Status OpenLanes() {
    for (const auto& path : request_.inputs) {
      auto stream = OpenFrameStream(path, request_.format);
      if (!stream.ok()) return stream.status();
      total_bytes_ += (*stream)->file_size();
      lanes_.push_back({std::move(*stream), {}, false});
      PACKTWIN_RETURN_IF_ERROR(Advance(lanes_.back()));
    }
    return Status::Ok();
  }

  Status CopyEvents() {
    Lane* lane = Earliest(lanes_);
    first_ns_ = last_ns_ = lane ? lane->next.wall_time_ns() : 0;
    v1::Event start = Marker(first_ns_);
    start.mutable_capture_start()->set_tool_version(request_.tool_version);
    for (const auto& path : request_.inputs) {
      start.mutable_capture_start()->add_sources(std::filesystem::path(path).filename().string());
    }
    start.mutable_capture_start()->set_configuration(Configuration(request_));
    PACKTWIN_RETURN_IF_ERROR(Write(start));
    for (; lane != nullptr; lane = Earliest(lanes_)) {
      Count(lane->next);
      last_ns_ = std::max(last_ns_, lane->next.wall_time_ns());
      PACKTWIN_RETURN_IF_ERROR(Write(lane->next));  // not moved: the lane's event keeps its buffers for the next line
      PACKTWIN_RETURN_IF_ERROR(Advance(*lane));
      ReportProgress();
    }
    v1::Event stop = Marker(last_ns_);
    stop.mutable_capture_stop()->set_reason("end of imported files");
    stop.mutable_capture_stop()->set_events(summary_.events + 1);
    return Write(stop);
  }

  void Count(const v1::Event& event) {
    if (event.has_can_frame()) {
      ++summary_.frames;
      ++summary_.frames_by_source[event.source()];
    } else if (event.has_gap()) {
      ++summary_.gaps;
      summary_.frames_lost += event.gap().frames_lost();
    }
  }

  Status Write(const v1::Event& event) {
    auto seq = writer_->Append(event);
    if (!seq.ok()) return seq.status();
    ++summary_.events;
    return Status::Ok();
  }

  Status WriteMeta() {
    int digits = 6;
    size_t width = 0;
    size_t seconds_width = 0;
    bool any_candump = false;
    for (const auto& lane : lanes_) {
      digits = std::max(digits, lane.stream->stats().candump_digits);
      width = std::max(width, lane.stream->stats().candump_width);
      seconds_width = std::max(seconds_width, lane.stream->stats().candump_seconds_width);
      any_candump = any_candump || lane.stream->stats().candump;
      summary_.skipped_lines += lane.stream->stats().skipped_lines;
      summary_.untimed = summary_.untimed || lane.stream->stats().untimed;
    }
    // candump pads seconds to 10 digits; a file that did not keeps its own form.
    if (!any_candump) seconds_width = kCandumpPaddedSecondsDigits;
    PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(meta_key::kCandumpSecondsWidth, std::to_string(seconds_width)));
    PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(meta_key::kStartedNs, std::to_string(first_ns_)));
    PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(meta_key::kStoppedNs, std::to_string(last_ns_)));
    PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(meta_key::kCandumpDigits, std::to_string(digits)));
    return writer_->SetMeta(meta_key::kCandumpWidth, std::to_string(width));
  }

  void ReportProgress() {
    if (!progress_ || (summary_.events & 0x3FFF) != 0) return;
    uint64_t done = 0;
    for (const auto& lane : lanes_) done += lane.stream->bytes_consumed();
    progress_(done, total_bytes_);
  }

  const ImportRequest& request_;
  const ProgressFn& progress_;
  std::vector<Lane> lanes_;
  EventWriter* writer_ = nullptr;
  ImportSummary summary_;
  uint64_t total_bytes_ = 0;
  int64_t first_ns_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace

Result<ImportSummary> ImportLogs(const ImportRequest& request, const ProgressFn& progress) {
  return Import(request, progress).Run();
}

}  // namespace packtwin::eventlog
