#include "packtwin/recorder/recorder.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "packtwin/base/atomic_path.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/recorder/relay_events.h"

namespace packtwin::recorder {
namespace {

constexpr int kTickMs = 100;
constexpr int64_t kStatusEveryMs = 1000;

struct Live {
  std::unique_ptr<Source> source;
  std::string failure;
};

class Session {
 public:
  Session(const RecordOptions& options, std::vector<std::unique_ptr<Source>> sources, const StatusFn& status,
          const WarnFn& warn)
      : options_(options), status_(status), warn_(warn) {
    for (auto& source : sources) live_.push_back({std::move(source), ""});
  }

  Result<RecordSummary> Run() {
    // The log first, committed before any source runs: a SIGKILL once the
    // adapters are set up always finds a valid log.
    PACKTWIN_RETURN_IF_ERROR(CreateLog());
    if (Status started = StartSources(); !started.ok()) {
      (void)writer_->Close();
      RemoveLog();  // nothing is left behind when a source cannot start
      return started;
    }
    PACKTWIN_RETURN_IF_ERROR(RegisterSources());
    PACKTWIN_RETURN_IF_ERROR(WriteCaptureStart());
    Status looped = Loop();
    if (looped.ok()) looped = DrainSources();
    StopSources();
    // Whatever stopped us, close the log properly: it is then complete on its own.
    if (looped.ok()) {
      v1::Event stop = NewEvent("recorder");
      stop.mutable_capture_stop()->set_reason(summary_.stop_reason);
      stop.mutable_capture_stop()->set_events(summary_.events + 1);
      PACKTWIN_RETURN_IF_ERROR(Sink(std::move(stop)).status());
      PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(eventlog::meta_key::kStoppedNs, std::to_string(bus::WallNs())));
    }
    Status closed = writer_->Close();
    if (!looped.ok()) return looped;
    if (!closed.ok()) return closed;
    summary_.sources = Reports();
    return summary_;
  }

 private:
  Status StartSources() {
    for (auto& entry : live_) {
      Status started = entry.source->Start();
      if (!started.ok()) {
        for (auto& other : live_) other.source->Stop();
        return started.Context("cannot start source " + entry.source->name() + ": ");
      }
    }
    return Status::Ok();
  }

  Status CreateLog() {
    std::error_code ec;
    PACKTWIN_RETURN_IF_ERROR(CheckOutputPath(options_.output, OutputRules{options_.force, {}, false}));
    if (std::filesystem::exists(options_.output, ec)) RemoveLog();
    eventlog::WriterOptions writer_options;
    writer_options.site = options_.site;
    writer_options.tool_version = options_.tool_version;
    writer_options.commit_interval_ms = 100;
    writer_options.durable = true;
    writer_options.background_commits = true;
    auto writer = eventlog::EventWriter::Create(options_.output, writer_options);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(*writer);
    return Status::Ok();
  }

  void RemoveLog() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(options_.output + suffix, ec);
  }

  // After the sources started: what they found (an adapter's abilities) is in their configuration.
  Status RegisterSources() {
    for (auto& entry : live_) {
      PACKTWIN_RETURN_IF_ERROR(writer_->AddSource(entry.source->name(), entry.source->config_json()));
    }
    return writer_->SetMeta(eventlog::meta_key::kStartedNs, std::to_string(bus::WallNs()));
  }

  Status WriteCaptureStart() {
    v1::Event start = NewEvent("recorder");
    auto* capture = start.mutable_capture_start();
    capture->set_tool_version(options_.tool_version);
    nlohmann::json config = nlohmann::json::array();
    for (auto& entry : live_) {
      capture->add_sources(entry.source->name());
      config.push_back(nlohmann::json::parse(entry.source->config_json()));
    }
    capture->set_configuration(nlohmann::json{{"sources", config}, {"duration_ms", options_.duration_ms},
                                              {"max_events", options_.max_events}}.dump());
    return Sink(std::move(start)).status();
  }

  // Every event goes through here; a RELAY_EVT frame also yields its relay change.
  Result<uint64_t> Sink(v1::Event event) {
    std::optional<v1::Event> change = event.has_can_frame() ? RelayChangeFromFrame(event, 0) : std::nullopt;
    auto seq = Append(std::move(event));
    if (!seq.ok() || !change) return seq;
    change->mutable_relay_change()->set_evidence_seq(*seq);
    auto change_seq = Append(std::move(*change));
    return change_seq.ok() ? seq : change_seq;
  }

  Result<uint64_t> Append(v1::Event event) {
    std::optional<v1::Event> shown;
    if (options_.on_event) shown = event;  // a copy only when someone watches
    auto seq = writer_->Append(std::move(event));
    if (!seq.ok()) {
      log_failure_ = seq.status();
      return seq;
    }
    ++summary_.events;
    if (shown) {
      shown->set_seq(*seq);
      options_.on_event(*shown);
    }
    return seq;
  }

  Status Loop() {
    const EventSink sink = [this](v1::Event event) { return Sink(std::move(event)); };
    const int64_t start_ns = bus::MonotonicNs();
    int64_t next_status_ms = kStatusEveryMs;
    // Bounded by the stop conditions; each pass waits at most one tick.
    while (true) {
      std::vector<pollfd> fds;
      std::vector<Live*> owners;
      if (options_.stop_fd >= 0) {
        fds.push_back({options_.stop_fd, POLLIN, 0});
        owners.push_back(nullptr);
      }
      for (auto& entry : live_) {
        if (!entry.failure.empty()) continue;
        for (int fd : entry.source->fds()) {
          fds.push_back({fd, POLLIN, 0});
          owners.push_back(&entry);
        }
      }
      if (std::none_of(live_.begin(), live_.end(), [](const Live& l) { return l.failure.empty(); })) {
        summary_.stop_reason = "every source failed";
        return Status::Ok();
      }
      const int ready = ::poll(fds.data(), fds.size(), kTickMs);
      if (ready < 0 && errno != EINTR) return Status::IoError(fmt::format("poll failed: {}", std::strerror(errno)));
      for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (owners[i] == nullptr) {
          char signal_byte = 0;
          (void)!::read(options_.stop_fd, &signal_byte, 1);
          summary_.stop_reason = signal_byte == 15 ? "SIGTERM" : "SIGINT";
          return Status::Ok();
        }
        if (!owners[i]->failure.empty()) continue;
        PACKTWIN_RETURN_IF_ERROR(Handle(*owners[i], owners[i]->source->OnReadable(fds[i].fd, fds[i].revents, sink)));
      }
      for (auto& entry : live_) {
        if (entry.failure.empty()) PACKTWIN_RETURN_IF_ERROR(Handle(entry, entry.source->OnTick(sink)));
      }
      const int64_t elapsed_ms = (bus::MonotonicNs() - start_ns) / 1'000'000;
      if (options_.duration_ms > 0 && elapsed_ms >= options_.duration_ms) {
        summary_.stop_reason = "duration reached";
        return Status::Ok();
      }
      if (options_.max_events > 0 && summary_.events >= options_.max_events) {
        summary_.stop_reason = "event limit reached";
        return Status::Ok();
      }
      if (elapsed_ms >= next_status_ms && status_) {
        next_status_ms = elapsed_ms + kStatusEveryMs;
        RecordSummary running = summary_;
        running.sources = Reports();
        // The log's bytes live in the file and, until checkpointed, its WAL.
        std::error_code ec;
        uint64_t bytes = std::filesystem::file_size(options_.output, ec);
        const uint64_t wal = std::filesystem::file_size(options_.output + "-wal", ec);
        if (!ec) bytes += wal;
        status_(running, elapsed_ms, bytes);
      }
    }
  }

  // A source error isolates that source; a log write error stops everything.
  Status Handle(Live& entry, Status status) {
    if (status.ok()) return status;
    if (!log_failure_.ok()) return log_failure_;
    entry.failure = status.message();
    summary_.any_source_failed = true;
    entry.source->Stop();
    if (warn_) warn_(fmt::format("source {} failed: {}; the other sources keep recording", entry.source->name(),
                                 entry.failure));
    v1::Event note = NewEvent(entry.source->name());
    note.mutable_annotation()->set_text("source failed: " + entry.failure);
    return Sink(std::move(note)).status();
  }

  Status DrainSources() {
    const EventSink sink = [this](v1::Event event) { return Sink(std::move(event)); };
    for (auto& entry : live_) {
      if (entry.failure.empty()) PACKTWIN_RETURN_IF_ERROR(Handle(entry, entry.source->Drain(sink)));
    }
    return Status::Ok();
  }

  void StopSources() {
    for (auto& entry : live_) {
      if (entry.failure.empty()) entry.source->Stop();
    }
  }

  std::vector<SourceReport> Reports() const {
    std::vector<SourceReport> reports;
    for (const auto& entry : live_) reports.push_back({entry.source->name(), entry.source->stats(), entry.failure});
    return reports;
  }

  const RecordOptions& options_;
  const StatusFn& status_;
  const WarnFn& warn_;
  std::vector<Live> live_;
  std::unique_ptr<eventlog::EventWriter> writer_;
  Status log_failure_;  // the log could not be written (full disk): stop everything
  RecordSummary summary_;
};

}  // namespace

Result<RecordSummary> Record(const RecordOptions& options, std::vector<std::unique_ptr<Source>> sources,
                             const StatusFn& status, const WarnFn& warn) {
  if (sources.empty()) return Status::InvalidArgument("no sources: give --can, --modbus-tap, --modbus-tcp-proxy or --mqtt");
  return Session(options, std::move(sources), status, warn).Run();
}

}  // namespace packtwin::recorder
