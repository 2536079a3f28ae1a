#include "packtwin/replay/playback.h"

#include "log_window.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <cstring>
#include <thread>
#include <vector>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/bus/can_spec.h"
#include "packtwin/bus/clock.h"
#include "packtwin/bus/serial_port.h"
#include "packtwin/bus/slcan_codec.h"
#include "packtwin/bus/socketcan.h"

namespace packtwin::replay {
namespace {

struct Scheduled {
  int64_t offset_ns;  // from the first frame
  uint64_t seq;
  v1::CanFrame frame;
  class Bus* bus;     // where it goes
};

// Where frames go: an slcan adapter (transmit commands) or a raw CAN socket.
class Bus {
 public:
  virtual ~Bus() = default;
  virtual Status Send(const v1::CanFrame& frame) = 0;
};

class SlcanBus : public Bus {
 public:
  explicit SlcanBus(bus::SerialPort port) : port_(std::move(port)) {}
  // Leaves the adapter as found: its channel closed.
  ~SlcanBus() override { (void)port_.Write(std::string(bus::kSlcanClose) + "\r"); }
  Status Send(const v1::CanFrame& frame) override {
    const std::string line = bus::SlcanTransmitLine(frame);
    if (line.empty()) return Status::Ok();  // slcan carries neither FD nor error frames
    return port_.Write(line + "\r");
  }

 private:
  bus::SerialPort port_;
};

class SocketCanBus : public Bus {
 public:
  explicit SocketCanBus(bus::CanSocket socket) : socket_(std::move(socket)) {}
  Status Send(const v1::CanFrame& frame) override { return socket_.Write(frame); }

 private:
  bus::CanSocket socket_;
};

Result<std::unique_ptr<Bus>> OpenBus(const std::string& target) {
  auto parsed = bus::ParseCanBusSpec(target);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    return Status::InvalidArgument(fmt::format("--to '{}': {}", target, error->Describe()));
  }
  const auto spec = std::get<bus::CanBusSpec>(parsed);
  if (spec.kind == bus::CanBusKind::kSlcan) {
    auto port = bus::SerialPort::Open(spec.device, 115200);
    if (!port.ok()) return port.status();
    // Set the bit rate and open the channel; replies (CR/BEL) are not waited for.
    PACKTWIN_RETURN_IF_ERROR(port->Write(std::string(bus::kSlcanClose) + "\r" + bus::SlcanBitrateCommand(spec.bitrate_bps) +
                                         "\r" + bus::kSlcanOpen + "\r"));
    return std::unique_ptr<Bus>(new SlcanBus(std::move(*port)));
  }
  auto socket = bus::CanSocket::Open(spec.device, bus::CanSocket::Use::kTransmit);
  if (!socket.ok()) return socket.status();
  return std::unique_ptr<Bus>(new SocketCanBus(std::move(*socket)));
}

Result<std::vector<Scheduled>> Load(const PlaybackRequest& request) {
  std::vector<Scheduled> frames;
  int64_t first_ns = 0;
  Status walked = ForEachInWindow(request.db, request.from, request.until, [&](const eventlog::StoredEvent& row, const v1::Event& event) {
    if (!event.has_can_frame()) return;
    if (request.ids && !request.ids->Contains(event.can_frame().id())) return;
    if (frames.empty()) first_ns = row.wall_ns;
    frames.push_back({row.wall_ns - first_ns, row.seq, event.can_frame(), nullptr});
  });
  if (!walked.ok()) return walked;
  return frames;
}

int64_t Percentile(std::vector<int64_t>& values, int pct) {
  if (values.empty()) return 0;
  const size_t index = std::min(values.size() - 1, values.size() * static_cast<size_t>(pct) / 100);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}


// Which bus each frame goes to: its interface's map, else --to; frames of
// unmapped interfaces are dropped when there is no --to (canplayer does the same).
Result<std::vector<std::unique_ptr<Bus>>> Route(const PlaybackRequest& request, std::vector<Scheduled>* frames) {
  std::vector<std::unique_ptr<Bus>> buses;
  std::map<std::string, Bus*> by_target;
  auto open = [&](const std::string& target) -> Result<Bus*> {
    if (auto it = by_target.find(target); it != by_target.end()) return it->second;
    auto bus = OpenBus(target);
    if (!bus.ok()) return bus.status();
    buses.push_back(std::move(*bus));
    by_target[target] = buses.back().get();
    return buses.back().get();
  };
  Bus* fallback = nullptr;
  if (!request.target.empty()) {
    auto bus = open(request.target);
    if (!bus.ok()) return bus.status();
    fallback = *bus;
  }
  std::map<std::string, Bus*> by_source;
  for (const auto& map : request.maps) {
    auto bus = open(map.target);
    if (!bus.ok()) return bus.status();
    by_source[map.source] = *bus;
  }
  std::vector<Scheduled> routed;
  for (auto& f : *frames) {
    auto it = by_source.find(f.frame.channel());
    f.bus = it != by_source.end() ? it->second : fallback;
    if (f.bus != nullptr) routed.push_back(std::move(f));
  }
  if (!request.maps.empty() && routed.empty()) {
    return Status::InvalidArgument(fmt::format("--map: no frame in {} was recorded on a mapped interface", request.db));
  }
  *frames = std::move(routed);
  return buses;
}

// Step mode: show the frame, then read how many to send. 0 means stop.
int64_t AskSteps(const PlaybackRequest& request, const Scheduled& next) {
  std::fprintf(request.step_out, "seq %llu  +%.6f s  %s  %s  [Enter: send, N: send N, q: quit] ",
               static_cast<unsigned long long>(next.seq), static_cast<double>(next.offset_ns) / 1e9,
               next.frame.channel().c_str(), eventlog::FormatCandumpFrame(next.frame).c_str());
  std::fflush(request.step_out);
  char line[64];
  if (std::fgets(line, sizeof line, request.step_in) == nullptr) return 0;
  if (line[0] == 'q' || line[0] == 'Q') return 0;
  const long long n = std::atoll(line);
  return n > 0 ? n : 1;
}

}  // namespace

Result<InterfaceMap> ParseInterfaceMap(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status::InvalidArgument(fmt::format("--map '{}': expected SRC=DST, e.g. can0=slcan:/dev/ttyACM0", text));
  }
  return InterfaceMap{text.substr(0, eq), text.substr(eq + 1)};
}

Result<PlaybackReport> Play(const PlaybackRequest& request, const std::function<bool()>& stop_requested) {
  if (request.speed <= 0) return Status::InvalidArgument("--speed must be above 0");
  if (request.target.empty() && request.maps.empty()) return Status::InvalidArgument("give a bus with --to, or --map SRC=DST");
  auto frames = Load(request);
  if (!frames.ok()) return frames.status();
  auto buses = Route(request, &*frames);
  if (!buses.ok()) return buses.status();
  PlaybackReport report;
  std::vector<int64_t> errors_us;
  int64_t steps_left = 0;
  for (int loop = 0; loop < request.loops; ++loop) {
    // The monotonic clock, anchored at the first frame of each pass.
    const int64_t anchor_ns = bus::MonotonicNs();
    if (stop_requested && stop_requested()) {
      report.interrupted = true;
      break;
    }
    for (const auto& scheduled : *frames) {
      if (stop_requested && stop_requested()) {
        report.interrupted = true;
        break;
      }
      if (request.step) {
        if (steps_left == 0) steps_left = AskSteps(request, scheduled);
        if (steps_left == 0) return report;
        --steps_left;
        PACKTWIN_RETURN_IF_ERROR(scheduled.bus->Send(scheduled.frame));
        ++report.frames;
        continue;
      }
      const auto due_ns = anchor_ns + static_cast<int64_t>(static_cast<double>(scheduled.offset_ns) / request.speed);
      if (!WaitUntil(due_ns, stop_requested)) {
        report.interrupted = true;
        break;
      }
      PACKTWIN_RETURN_IF_ERROR(scheduled.bus->Send(scheduled.frame));
      errors_us.push_back((bus::MonotonicNs() - due_ns) / 1000);
      ++report.frames;
    }
  }
  std::vector<int64_t> sorted = errors_us;
  report.error_p50_us = Percentile(sorted, 50);
  report.error_p99_us = Percentile(sorted, 99);
  report.error_max_us = sorted.empty() ? 0 : *std::max_element(errors_us.begin(), errors_us.end());
  return report;
}

}  // namespace packtwin::replay
