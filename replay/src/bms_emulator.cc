#include "packtwin/replay/bms_emulator.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/bus/serial_port.h"
#include "packtwin/bus/clock.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/replay/sim_engine.h"

namespace packtwin::replay {
namespace {

constexpr uint8_t kBmsSlave = 0x01;
constexpr size_t kMaxRtuFrame = 256;

struct Recorded {
  int64_t wall_ns;
  std::string request;
  std::string reply;
  bool timed_out;
};

struct Loaded {
  std::map<std::string, std::vector<Recorded>> by_tap;
  std::map<std::string, std::set<uint16_t>> voltages_by_tap;  // good replies' register 0
  std::map<uint8_t, std::set<uint16_t>> voltages_by_node;     // TEL_BATT pack_cV / 10
  int64_t first_wall_ns = 0;
};

uint16_t ReplyVoltageDv(const std::string& reply) {
  const auto parsed = firmware::ParseBmsReply(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
  return parsed.status == firmware::BmsReplyStatus::kOk ? parsed.registers.voltage_dV : 0;
}

Result<Loaded> Load(const std::string& db) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  Loaded loaded;
  auto counts = (*reader)->Counts();
  if (!counts.ok()) return counts.status();
  loaded.first_wall_ns = counts->first_wall_ns;
  Status walked = eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
    if (event.has_modbus() && event.modbus().transport() == v1::TRANSPORT_RTU && !event.modbus().request().empty()) {
      const auto& m = event.modbus();
      loaded.by_tap[m.port()].push_back({row.wall_ns, m.request(), m.reply(), m.status() == v1::MODBUS_TIMEOUT});
      if (const uint16_t v = ReplyVoltageDv(m.reply()); v != 0) loaded.voltages_by_tap[m.port()].insert(v);
    } else if (event.has_can_frame()) {
      const auto frame = bus::ToFirmwareFrame(event.can_frame());
      firmware::TelBattFrame batt;
      if (frame && firmware::DecodeTelBatt(*frame, &batt) == firmware::DecodeStatus::kOk) {
        loaded.voltages_by_node[batt.node].insert(static_cast<uint16_t>(batt.pack_cV / 10));
      }
    }
    return true;
  });
  if (!walked.ok()) return walked;
  return loaded;
}

// The tap on `node`'s RS-485 line: the one named after it (the simulator's
// "pack-2A"), else the one whose good replies show a voltage the pack reported.
Result<std::string> ChooseTap(const Loaded& loaded, const BmsEmulateRequest& request) {
  if (loaded.by_tap.empty()) {
    return Status::NotFound(fmt::format("{}: no Modbus RTU exchanges to answer with (record with --modbus-tap)", request.db));
  }
  if (!request.node) {
    if (loaded.by_tap.size() == 1) return loaded.by_tap.begin()->first;
    std::string taps;
    for (const auto& [tap, _] : loaded.by_tap) taps += fmt::format("{}{}", taps.empty() ? "" : ", ", tap);
    return Status::InvalidArgument(fmt::format("{}: {} Modbus taps ({}): say whose BMS with --node", request.db,
                                     loaded.by_tap.size(), taps));
  }
  const std::string suffix = fmt::format("{:02X}", *request.node);
  for (const auto& [tap, _] : loaded.by_tap) {
    if (tap.size() >= suffix.size() && tap.compare(tap.size() - suffix.size(), suffix.size(), suffix) == 0) return tap;
  }
  auto node_volts = loaded.voltages_by_node.find(*request.node);
  for (const auto& [tap, volts] : loaded.voltages_by_tap) {
    if (node_volts == loaded.voltages_by_node.end()) break;
    for (uint16_t v : volts) {
      if (node_volts->second.count(v) != 0) return tap;
    }
  }
  return Status::NotFound(fmt::format("{}: no Modbus tap belongs to node 0x{:02X}", request.db, *request.node));
}

bool CrcOk(const std::string& frame) {
  if (frame.size() < 4) return false;
  const uint16_t crc = firmware::Crc16Modbus(reinterpret_cast<const uint8_t*>(frame.data()), frame.size() - 2);
  return static_cast<uint8_t>(frame[frame.size() - 2]) == (crc & 0xFF) &&
         static_cast<uint8_t>(frame[frame.size() - 1]) == (crc >> 8);
}

std::string ExceptionReply(uint8_t function, uint8_t code) { return EncodeExceptionReply(function, code); }

class Emulator {
 public:
  Emulator(const BmsEmulateRequest& request, std::vector<Recorded> recorded, int64_t start_wall_ns,
           BmsEmulateReport* report)
      : request_(request), recorded_(std::move(recorded)), start_wall_ns_(start_wall_ns), report_(report) {}

  bool Finished(int64_t now_ns) const {
    return anchor_ns_ != 0 && LogTimeNs(now_ns) > recorded_.back().wall_ns + 2'000'000'000LL;
  }

  // One complete RTU frame from the line; returns what to send back (maybe nothing).
  std::string OnFrame(const std::string& frame, int64_t now_ns) {
    if (!CrcOk(frame) || static_cast<uint8_t>(frame[0]) != kBmsSlave) {
      ++report_->ignored;  // not for us, or damaged: a real slave stays quiet
      return "";
    }
    ++report_->requests;
    if (anchor_ns_ == 0) anchor_ns_ = now_ns;
    const int64_t log_ns = LogTimeNs(now_ns);
    const Recorded* match = nullptr;
    // Sorted by time: the last one at or before log time wins; before the
    // first, the first stands in.
    for (const auto& r : recorded_) {
      if (r.request != frame) continue;
      if (r.wall_ns > log_ns) {
        if (match == nullptr) match = &r;
        break;
      }
      match = &r;
    }
    if (match == nullptr) {
      ++report_->unknown;
      return ExceptionReply(static_cast<uint8_t>(frame[1]), 0x02);
    }
    if (match->timed_out) {
      ++report_->silent;
      return "";
    }
    ++report_->answered;
    return match->reply;
  }

 private:
  int64_t LogTimeNs(int64_t now_ns) const {
    return start_wall_ns_ + static_cast<int64_t>(static_cast<double>(now_ns - anchor_ns_) * request_.speed);
  }

  const BmsEmulateRequest& request_;
  std::vector<Recorded> recorded_;
  int64_t start_wall_ns_;
  int64_t anchor_ns_ = 0;
  BmsEmulateReport* report_;
};

// 3.5 character times of silence end an RTU frame (11 bits a character).
int FrameGapMs(uint32_t baud) { return std::max(2, static_cast<int>(11 * 35 * 100 / baud + 1)); }

}  // namespace

Result<BmsEmulateReport> EmulateBms(const BmsEmulateRequest& request, const std::function<bool()>& stop_requested,
                                    const BmsReadyFn& on_ready) {
  if (request.speed <= 0) return Status::InvalidArgument("--speed must be above 0");
  auto loaded = Load(request.db);
  if (!loaded.ok()) return loaded.status();
  auto tap = ChooseTap(*loaded, request);
  if (!tap.ok()) return tap.status();
  std::vector<Recorded> recorded = std::move(loaded->by_tap[*tap]);
  const int64_t first_ns = recorded.front().wall_ns;
  const int64_t start_ns = request.from ? std::max(first_ns, request.from->Resolve(loaded->first_wall_ns)) : first_ns;
  if (start_ns > recorded.back().wall_ns) return Status::InvalidArgument("--from: after the last recorded exchange");
  auto port = bus::SerialPort::Open(request.port, request.baud);
  if (!port.ok()) return port.status();
  BmsEmulateReport report;
  report.tap = *tap;
  report.exchanges = recorded.size();
  if (on_ready) on_ready(report);
  Emulator emulator(request, std::move(recorded), start_ns, &report);
  std::string frame;
  const int gap_ms = FrameGapMs(request.baud);
  // Bounded by the recording: it ends 2 s after the last exchange's time.
  while (!(stop_requested && stop_requested()) && !emulator.Finished(bus::MonotonicNs())) {
    pollfd pfd{port->fd(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, frame.empty() ? 100 : gap_ms);
    if (ready < 0 && errno != EINTR) return Status::IoError(fmt::format("{}: poll failed", request.port));
    if (ready > 0) {
      uint8_t buffer[kMaxRtuFrame];
      auto n = port->Read(buffer, sizeof buffer);
      if (!n.ok()) return n.status();
      if (*n == 0) return Status::IoError(fmt::format("{}: the device went away", request.port));
      frame.append(reinterpret_cast<const char*>(buffer), *n);
      if (frame.size() > kMaxRtuFrame) frame.erase(0, frame.size() - kMaxRtuFrame);  // noise, not a frame
      continue;
    }
    if (frame.empty()) continue;
    const std::string reply = emulator.OnFrame(frame, bus::MonotonicNs());
    frame.clear();
    if (!reply.empty()) PACKTWIN_RETURN_IF_ERROR(port->Write(reply));
  }
  return report;
}

}  // namespace packtwin::replay
