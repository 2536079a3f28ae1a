#include "frame_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "packtwin/eventlog/asc_format.h"
#include "packtwin/eventlog/candump_format.h"

namespace packtwin::eventlog {
namespace {

Status LineError(const LineReader& reader, const ParseError& error) {
  return Status::InvalidArgument(fmt::format("{}:{}:{} (byte {}): expected {}, found {}", reader.path(), reader.line_number(),
                                   error.column, reader.line_offset() + error.column - 1, error.expected, error.found));
}

void SetFrameEvent(int64_t time_ns, v1::CanFrame frame, v1::Event* event) {
  event->Clear();
  // A file carries one clock; it stands for both the wall and capture time.
  event->set_wall_time_ns(time_ns);
  event->set_capture_time_ns(time_ns);
  event->set_source(frame.channel());
  *event->mutable_can_frame() = std::move(frame);
}

class CandumpStream : public FrameStream {
 public:
  explicit CandumpStream(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}

  Result<bool> Next(v1::Event* event) override {
    std::string_view line;
    while (true) {
      auto more = reader_->Next(&line);
      if (!more.ok() || !*more) return more;
      auto parsed = ParseCandumpLine(line);
      if (auto* error = std::get_if<ParseError>(&parsed)) return LineError(*reader_, *error);
      auto& result = std::get<CandumpLine>(parsed);
      if (auto* frame = std::get_if<CandumpFrameLine>(&result)) {
        stats_.candump_digits = std::max(stats_.candump_digits, frame->timestamp_digits);
        stats_.candump_width = std::max(stats_.candump_width, frame->interface_width);
        stats_.candump_seconds_width = std::max(stats_.candump_seconds_width, frame->seconds_width);
        stats_.candump = true;
        last_time_ns_ = frame->time_ns;
        SetFrameEvent(frame->time_ns, std::move(frame->frame), event);
        return true;
      }
      if (auto* drop = std::get_if<CandumpDropLine>(&result)) {
        // candump prints no time on this line: it belongs after the frame before it.
        event->Clear();
        event->set_wall_time_ns(last_time_ns_);
        event->set_capture_time_ns(last_time_ns_);
        event->set_source(drop->interface);
        auto* gap = event->mutable_gap();
        gap->set_source(drop->interface);
        gap->set_frames_lost(drop->frames_lost);
        gap->set_total_lost(drop->total_lost);
        gap->set_reason("candump DROPCOUNT: the kernel socket queue overflowed");
        return true;
      }
    }
  }
  const LineReader& reader() const override { return *reader_; }
  const StreamStats& stats() const override { return stats_; }

 private:
  std::unique_ptr<LineReader> reader_;
  StreamStats stats_;
  int64_t last_time_ns_ = 0;
};

class AscStream : public FrameStream {
 public:
  explicit AscStream(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}

  Result<bool> Next(v1::Event* event) override {
    std::string_view line;
    while (true) {
      auto more = reader_->Next(&line);
      if (!more.ok() || !*more) return more;
      auto parsed = parser_.ParseLine(line);
      if (auto* error = std::get_if<ParseError>(&parsed)) return LineError(*reader_, *error);
      if (std::holds_alternative<AscOtherEvent>(parsed)) ++stats_.skipped_lines;
      if (auto* frame = std::get_if<AscFrameLine>(&parsed)) {
        SetFrameEvent(frame->time_ns, std::move(frame->frame), event);
        return true;
      }
    }
  }
  const LineReader& reader() const override { return *reader_; }
  const StreamStats& stats() const override { return stats_; }

 private:
  std::unique_ptr<LineReader> reader_;
  AscParser parser_;
  StreamStats stats_;
};

bool StartsWithWord(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != word[i]) return false;
  }
  return true;
}

constexpr size_t kSniffLines = 64;  // non-blank lines looked at before giving up

// candump lines open with '(' or DROPCOUNT; an ASC file opens with its header
// ("date ...", "base hex ...", "Begin Triggerblock"), perhaps after comments.
// Anything else is refused: a file of another format must never import as
// zero frames.
Result<InputFormat> Sniff(const std::string& path) {
  auto reader = LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::string_view line;
  size_t looked = 0;
  // Bounded by the file: blank lines are passed over without counting.
  while (looked < kSniffLines) {
    auto more = (*reader)->Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    ++looked;
    line = line.substr(first);
    if (line.starts_with("(") || line.starts_with("DROPCOUNT")) return InputFormat::kCandump;
    if (StartsWithWord(line, "date ") || StartsWithWord(line, "base ") || StartsWithWord(line, "begin triggerblock")) {
      return InputFormat::kAsc;
    }
    if (line.starts_with("//") || StartsWithWord(line, "internal events logged") ||
        StartsWithWord(line, "no internal events logged")) {
      continue;  // ASC comments and header lines that do not decide alone
    }
    const std::string shown = TextCursor(line).Error("").found;  // escaped and shortened
    return Status::InvalidArgument(fmt::format(
        "{}:{}: not a CAN log packtwin reads: found {}; packtwin imports candump logs (candump -l/-L: "
        "'(1700000000.000000) can0 123#1122') and Vector ASC (a 'date ...' or 'base hex ...' header); "
        "give --format candump|asc if the file is one of them",
        path, (*reader)->line_number(), shown));
  }
  if (looked == 0) return Status::InvalidArgument(fmt::format("{}: empty: no CAN log lines to import", path));
  return Status::InvalidArgument(fmt::format(
      "{}: not a CAN log packtwin reads: only comments in its first {} lines; packtwin imports candump logs and "
      "Vector ASC (with a 'date ...' or 'base hex ...' header)",
      path, kSniffLines));
}

}  // namespace

Result<std::unique_ptr<FrameStream>> OpenFrameStream(const std::string& path, InputFormat format) {
  if (format == InputFormat::kAuto) {
    auto sniffed = Sniff(path);
    if (!sniffed.ok()) return sniffed.status();
    format = *sniffed;
  }
  auto reader = LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  if (format == InputFormat::kCandump) return std::unique_ptr<FrameStream>(new CandumpStream(std::move(*reader)));
  return std::unique_ptr<FrameStream>(new AscStream(std::move(*reader)));
}

}  // namespace packtwin::eventlog
