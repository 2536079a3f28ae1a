#include "frame_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "packtwin/eventlog/asc_format.h"
#include "packtwin/eventlog/blf_format.h"
#include "packtwin/eventlog/can_dlc.h"
#include "packtwin/eventlog/candump_screen_format.h"
#include "packtwin/eventlog/sqlite_db.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/eventlog/trc_format.h"
#include "packtwin/eventlog/candump_format.h"

namespace packtwin::eventlog {
namespace {

Status LineError(const LineReader& reader, const ParseError& error) {
  return Status::InvalidArgument(fmt::format("{}:{}:{} (byte {}): expected {}, found {}", reader.path(), reader.line_number(),
                                   error.column, reader.line_offset() + error.column - 1, error.expected, error.found));
}

std::string LineWhere(const LineReader& reader) { return fmt::format("{}:{}", reader.path(), reader.line_number()); }

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
  uint64_t file_size() const override { return reader_->file_size(); }
  uint64_t bytes_consumed() const override { return reader_->bytes_consumed(); }
  const StreamStats& stats() const override { return stats_; }
  std::string Where() const override { return LineWhere(*reader_); }

 private:
  std::unique_ptr<LineReader> reader_;
  StreamStats stats_;
  int64_t last_time_ns_ = 0;
};

// A file whose every line Parser reads into a frame, an event packtwin does
// not model (skipped and counted), a header line, or an error.
template <typename Parser, typename FrameLine, typename OtherEvent>
class ParsedLineStream : public FrameStream {
 public:
  explicit ParsedLineStream(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}

  Result<bool> Next(v1::Event* event) override {
    std::string_view line;
    while (true) {
      auto more = reader_->Next(&line);
      if (!more.ok() || !*more) return more;
      auto parsed = parser_.ParseLine(line);
      if (auto* error = std::get_if<ParseError>(&parsed)) return LineError(*reader_, *error);
      if (std::holds_alternative<OtherEvent>(parsed)) ++stats_.skipped_lines;
      if (auto* frame = std::get_if<FrameLine>(&parsed)) {
        if constexpr (requires { parser_.has_start_time(); }) stats_.untimed = !parser_.has_start_time();
        SetFrameEvent(frame->time_ns, std::move(frame->frame), event);
        return true;
      }
    }
  }
  uint64_t file_size() const override { return reader_->file_size(); }
  uint64_t bytes_consumed() const override { return reader_->bytes_consumed(); }
  const StreamStats& stats() const override { return stats_; }
  std::string Where() const override { return LineWhere(*reader_); }

 private:
  std::unique_ptr<LineReader> reader_;
  Parser parser_;
  StreamStats stats_;
};

using AscStream = ParsedLineStream<AscParser, AscFrameLine, AscOtherEvent>;
using TrcStream = ParsedLineStream<TrcParser, TrcFrameLine, TrcOtherEvent>;

// Lines without a timestamp are placed 1 µs after the one before, from 0.
class CandumpScreenStream : public FrameStream {
 public:
  explicit CandumpScreenStream(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}

  Result<bool> Next(v1::Event* event) override {
    std::string_view line;
    while (true) {
      auto more = reader_->Next(&line);
      if (!more.ok() || !*more) return more;
      auto parsed = ParseCandumpScreenLine(line);
      if (auto* error = std::get_if<ParseError>(&parsed)) return LineError(*reader_, *error);
      if (auto* frame = std::get_if<CandumpScreenLine>(&parsed)) {
        if (!frame->timed) stats_.untimed = true;
        last_ns_ = frame->timed ? frame->time_ns : last_ns_ + 1000;
        SetFrameEvent(last_ns_, std::move(frame->frame), event);
        return true;
      }
    }
  }
  uint64_t file_size() const override { return reader_->file_size(); }
  uint64_t bytes_consumed() const override { return reader_->bytes_consumed(); }
  const StreamStats& stats() const override { return stats_; }
  std::string Where() const override { return LineWhere(*reader_); }

 private:
  std::unique_ptr<LineReader> reader_;
  StreamStats stats_;
  int64_t last_ns_ = -1000;
};

class BlfStream : public FrameStream {
 public:
  BlfStream(std::unique_ptr<BlfReader> reader, std::string path) : reader_(std::move(reader)), path_(std::move(path)) {}

  Result<bool> Next(v1::Event* event) override {
    BlfFrame frame;
    auto more = reader_->Next(&frame);
    stats_.skipped_lines = reader_->skipped_objects();
    if (!more.ok() || !*more) return more;
    SetFrameEvent(frame.time_ns, std::move(frame.frame), event);
    return true;
  }
  uint64_t file_size() const override { return reader_->file_size(); }
  uint64_t bytes_consumed() const override { return reader_->bytes_consumed(); }
  const StreamStats& stats() const override { return stats_; }
  std::string Where() const override { return fmt::format("{} (near byte {})", path_, reader_->bytes_consumed()); }

 private:
  std::unique_ptr<BlfReader> reader_;
  std::string path_;
  StreamStats stats_;
};

// python-can's SqliteWriter: a table `messages` (ts REAL seconds, arbitration_id,
// extended, remote, error, dlc, data BLOB); no channel, direction or FD flag.
class PycanSqliteStream : public FrameStream {
 public:
  static Result<std::unique_ptr<FrameStream>> Open(const std::string& path) {
    auto db = sqlite::Db::Open(path, SQLITE_OPEN_READONLY);
    if (!db.ok()) return db.status();
    auto stream = std::unique_ptr<PycanSqliteStream>(new PycanSqliteStream(std::move(*db), path));
    auto rows = stream->db_.Prepare("SELECT count(*) FROM messages");
    if (!rows.ok()) return Status::InvalidArgument(fmt::format("{}: an SQLite database without python-can's 'messages' table", path));
    auto counted = rows->Step();
    if (!counted.ok()) return counted.status();
    stream->rows_ = static_cast<uint64_t>(rows->ColumnInt(0));
    auto select = stream->db_.Prepare(
        "SELECT CAST(round(ts * 1000000) AS INTEGER), arbitration_id, extended, remote, error, dlc, data "
        "FROM messages ORDER BY rowid");
    if (!select.ok()) {
      return Status::InvalidArgument(fmt::format("{}: its 'messages' table lacks python-can's columns "
                                                 "(ts, arbitration_id, extended, remote, error, dlc, data)", path));
    }
    stream->select_.emplace(std::move(*select));
    return std::unique_ptr<FrameStream>(std::move(stream));
  }

  Result<bool> Next(v1::Event* event) override {
    auto more = select_->Step();
    if (!more.ok() || !*more) return more;
    ++read_;
    const int64_t us = select_->ColumnInt(0);
    const int64_t id = select_->ColumnInt(1);
    const int64_t dlc = select_->ColumnInt(5);
    const std::string data = select_->ColumnBlob(6);
    if (us < -9'000'000'000'000'000 / 1000 || us > INT64_MAX / 1000 || id < 0 || id > 0x1FFFFFFF || dlc < 0 ||
        dlc > 64 || data.size() > kFdMaxLen) {
      return Status::InvalidArgument(fmt::format("{}: row {} of 'messages' is not a CAN frame (ts, id {}, dlc {}, {} data bytes)",
                                                 path_, read_, id, dlc, data.size()));
    }
    v1::CanFrame frame;
    frame.set_channel("can0");
    frame.set_id(static_cast<uint32_t>(id));
    frame.set_extended(select_->ColumnInt(2) != 0);
    frame.set_rtr(select_->ColumnInt(3) != 0);
    frame.set_error(select_->ColumnInt(4) != 0);
    // Only a CAN FD frame carries more than 8 bytes; python-can stores no FD flag.
    frame.set_fd(data.size() > kClassicMaxLen);
    if (frame.fd() && !IsFdLength(static_cast<uint32_t>(data.size()))) {
      return Status::InvalidArgument(fmt::format("{}: row {}: {} data bytes is no CAN FD length", path_, read_, data.size()));
    }
    frame.set_dlc(frame.fd() ? FdLenToDlc(static_cast<uint32_t>(data.size())) : static_cast<uint32_t>(std::min<int64_t>(dlc, 15)));
    if (!frame.rtr()) frame.set_data(data);
    SetFrameEvent(us * 1000, std::move(frame), event);
    return true;
  }
  uint64_t file_size() const override { return rows_; }
  uint64_t bytes_consumed() const override { return read_; }
  const StreamStats& stats() const override { return stats_; }
  std::string Where() const override { return fmt::format("{}: row {} of 'messages'", path_, read_); }

 private:
  PycanSqliteStream(sqlite::Db db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  sqlite::Db db_;
  std::string path_;
  std::optional<sqlite::Statement> select_;
  uint64_t rows_ = 0;
  uint64_t read_ = 0;
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
constexpr const char* kFormatsRead =
    "packtwin imports candump logs (candump -l: '(1700000000.000000) can0 123#1122'), candump's screen output "
    "('  can0  123   [2]  11 22'), Vector ASC (a 'date ...' or 'base hex ...' header) and BLF, PEAK TRC, and "
    "python-can's SQLite databases";

// Binary formats by their first bytes: BLF "LOGG", SQLite "SQLite format 3".
Result<std::optional<InputFormat>> SniffBinary(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::NotFound(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  char head[72] = {};  // SQLite keeps the application_id at byte 68, big-endian
  const size_t got = std::fread(head, 1, sizeof head, file);
  std::fclose(file);
  const std::string_view bytes(head, got);
  const auto byte = [&head](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(head[i])); };
  const uint32_t application_id = byte(68) << 24 | byte(69) << 16 | byte(70) << 8 | byte(71);
  if (bytes.starts_with("LOGG")) return std::optional<InputFormat>(InputFormat::kBlf);
  if (bytes.starts_with(std::string_view("SQLite format 3\0", 16))) {
    if (got == sizeof head && application_id == static_cast<uint32_t>(kApplicationId)) {
      return Status::InvalidArgument(fmt::format("{}: already a packtwin event log: there is nothing to import "
                                                 "(read it with info, state or export)", path));
    }
    return std::optional<InputFormat>(InputFormat::kPycanSqlite);
  }
  return std::optional<InputFormat>();
}

// candump lines open with '(' and hold "id#data" or DROPCOUNT; its screen
// output shows "[len]" instead; an ASC file opens with its header ("date ...",
// "base hex ...", "Begin Triggerblock"), perhaps after comments; a TRC file
// with ';' header lines. Anything else is refused: a file of another format
// must never import as zero frames.
Result<InputFormat> Sniff(const std::string& path) {
  auto binary = SniffBinary(path);
  if (!binary.ok()) return binary.status();
  if (*binary) return **binary;
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
    const std::string_view whole = line;
    line = line.substr(first);
    if (line.starts_with("DROPCOUNT")) return InputFormat::kCandump;
    if (line.starts_with("(") && line.find('#') != std::string_view::npos) return InputFormat::kCandump;
    if (LooksLikeCandumpScreen(whole)) return InputFormat::kCandumpScreen;
    if (line.starts_with(";")) return InputFormat::kTrc;
    if (StartsWithWord(line, "date ") || StartsWithWord(line, "base ") || StartsWithWord(line, "begin triggerblock")) {
      return InputFormat::kAsc;
    }
    if (line.starts_with("//") || StartsWithWord(line, "internal events logged") ||
        StartsWithWord(line, "no internal events logged")) {
      continue;  // ASC comments and header lines that do not decide alone
    }
    const std::string shown = TextCursor(line).Error("").found;  // escaped and shortened
    return Status::InvalidArgument(fmt::format("{}:{}: not a CAN log packtwin reads: found {}; {}; give --format {} "
                                               "if the file is one of them",
                                               path, (*reader)->line_number(), shown, kFormatsRead, InputFormatNames()));
  }
  if (looked == 0) return Status::InvalidArgument(fmt::format("{}: empty: no CAN log lines to import", path));
  return Status::InvalidArgument(fmt::format("{}: not a CAN log packtwin reads: only comments in its first {} lines; {}",
                                             path, kSniffLines, kFormatsRead));
}

}  // namespace

Result<std::unique_ptr<FrameStream>> OpenFrameStream(const std::string& path, InputFormat format) {
  if (format == InputFormat::kAuto) {
    auto sniffed = Sniff(path);
    if (!sniffed.ok()) return sniffed.status();
    format = *sniffed;
  }
  if (format == InputFormat::kBlf) {
    auto blf = BlfReader::Open(path);
    if (!blf.ok()) return blf.status();
    return std::unique_ptr<FrameStream>(new BlfStream(std::move(*blf), path));
  }
  if (format == InputFormat::kPycanSqlite) return PycanSqliteStream::Open(path);
  auto reader = LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  switch (format) {
    case InputFormat::kCandump:
      return std::unique_ptr<FrameStream>(new CandumpStream(std::move(*reader)));
    case InputFormat::kCandumpScreen:
      return std::unique_ptr<FrameStream>(new CandumpScreenStream(std::move(*reader)));
    case InputFormat::kTrc:
      return std::unique_ptr<FrameStream>(new TrcStream(std::move(*reader)));
    default:
      return std::unique_ptr<FrameStream>(new AscStream(std::move(*reader)));
  }
}

const char* InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kCandump: return "candump";
    case InputFormat::kCandumpScreen: return "candump-screen";
    case InputFormat::kAsc: return "asc";
    case InputFormat::kBlf: return "blf";
    case InputFormat::kTrc: return "trc";
    case InputFormat::kPycanSqlite: return "pycan-sqlite";
    case InputFormat::kAuto: break;
  }
  return "auto";
}

std::optional<InputFormat> InputFormatNamed(std::string_view name) {
  for (InputFormat format : {InputFormat::kAuto, InputFormat::kCandump, InputFormat::kCandumpScreen, InputFormat::kAsc,
                             InputFormat::kBlf, InputFormat::kTrc, InputFormat::kPycanSqlite}) {
    if (name == InputFormatName(format)) return format;
  }
  return std::nullopt;
}

const char* InputFormatNames() { return "candump|candump-screen|asc|blf|trc|pycan-sqlite"; }

}  // namespace packtwin::eventlog
