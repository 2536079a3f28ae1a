#include "packtwin/twin/check.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <optional>

#include "packtwin/eventlog/bug.h"
#include "packtwin/eventlog/time_spec.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/local_clock.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/twin/fold.h"
#include "packtwin/twin/bms_watch.h"
#include "packtwin/twin/check_rules.h"
#include "packtwin/twin/names.h"
#include "packtwin/twin/shadow.h"

namespace packtwin::twin {
namespace {

const std::string kSpecFolder = "docs/spec/";

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kDecisionAllowanceNs = 2'500 * kNsPerMs;  // one 2 s cycle plus jitter
constexpr int64_t kHandoverNs = 12'500 * kNsPerMs;          // a heartbeat period plus the allowance
constexpr int64_t kEcoHoldNs = 30'000 * kNsPerMs - 500 * kNsPerMs;  // 30 s, less jitter
constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kResetHourMs = 5 * 3'600'000;

// Whether a 05:00 lies in (from, to] (local ms).
bool CrossesFive(int64_t from_local_ms, int64_t to_local_ms) {
  if (to_local_ms <= from_local_ms) return false;
  const int64_t day_start = to_local_ms - ((to_local_ms % kMsPerDay) + kMsPerDay) % kMsPerDay;
  int64_t five = day_start + kResetHourMs;
  if (five > to_local_ms) five -= kMsPerDay;
  return five > from_local_ms;
}
constexpr uint8_t kSocTolerancePct = 1;

struct PendingCommand {
  firmware::CommandFrame command;
  int64_t wall_ns = 0;
  uint64_t seq = 0;
  std::vector<uint8_t> expected_acks;
  std::vector<uint8_t> acked;
};

struct PackTrack {
  bool lockout = false;
  int64_t lockout_since_ns = 0;
  uint64_t lockout_seq = 0;
  bool lockout_flagged = false;
  bool soc_flagged = false;
  std::array<bool, 9> wrong_length_flagged{};
  // Eco sheds, per relay.
  std::array<int64_t, 4> shed_ns{};
  std::array<uint64_t, 4> shed_seq{};
  std::array<bool, 4> shed{};
  // Grid energy: reported vs integrated from TEL_POWER.
  bool has_loads = false;
  uint32_t last_reported_Wh = 0;
  int64_t last_loads_ns = 0;
  // The local time of the last report as the site's clock read then: a TIME
  // that jumps in between must not move it (a jump across 05:00 resets).
  std::optional<int64_t> last_loads_local_ms;
  uint64_t last_loads_seq = 0;
  uint32_t base_Wh = 0;
  uint64_t integrated_Wms = 0;
  bool has_power = false;
  int32_t last_p_grid_W = 0;
  int64_t last_power_ns = 0;
  bool energy_flagged = false;
  bool rebooted = false;  // a boot RELAY_EVT since the last TEL_LOADS
  std::optional<int64_t> last_reset_local_ms;
};

class Checker {
 public:
  Checker()
      : shadow_([this](const RelayDivergence& d) { OnDivergence(d); }),
        bms_([this](const BmsFinding& f) {
          Flag(f.wall_ns, f.node, f.rule, f.expected,
               f.observed, f.evidence);
        }) {}
  void OnEvent(const TypedEvent& typed, const TwinState& state);
  void OnChange(const Change& change);
  void Finish(int64_t end_ns);
  std::vector<Finding> TakeFindings() { return std::move(findings_); }

 private:
  // Every finding names a rule of the table (check_rules.cc), which gives its section.
  void Flag(int64_t wall_ns, uint8_t node, std::string_view rule_name, std::string expected, std::string observed,
            std::vector<uint64_t> evidence) {
    const CheckRule* rule = FindCheckRule(rule_name);
    if (rule == nullptr) PACKTWIN_BUG("a check finding names a rule missing from the rule table");
    // Cited by the copy of the spec that ships with packtwin (docs/spec/), so a
    // finding's reader can look the rule up without the team's shared folder.
    findings_.push_back({wall_ns, node, std::string(rule->name), kSpecFolder + std::string(rule->section),
                         std::move(expected), std::move(observed), std::move(evidence)});
  }
  void ExpireCommands(int64_t now_ns);
  void OnDivergence(const RelayDivergence& d);
  void OnTelBatt(const v1::Event& event, const firmware::TelBattFrame& f);
  void OnTelPower(const v1::Event& event, const firmware::TelPowerFrame& f);
  void OnTelLoads(const v1::Event& event, const firmware::TelLoadsFrame& f);
  void OnRelayEvt(const v1::Event& event, const firmware::RelayEvtFrame& f);
  void OnAck(const v1::Event& event, const firmware::AckFrame& f);
  void OnHeartbeat(const v1::Event& event, const firmware::HeartbeatFrame& f);
  void OnCommand(const TypedEvent& typed, const firmware::CommandFrame& f, const TwinState& state);
  void OnTime(const TypedEvent& typed, const firmware::TimeFrame& f);
  void CheckWrongLength(const v1::Event& event, const firmware::CanFrame& frame);
  std::optional<int64_t> LocalMs(int64_t wall_ns) const {
    if (!time_known_) return std::nullopt;
    return time_base_local_ms_ + (wall_ns - time_base_wall_ns_) / kNsPerMs;
  }

  std::map<uint8_t, PackTrack> packs_;
  std::vector<PendingCommand> commands_;
  // The last frame (seq, time) whose first two bytes were (b0, b1), indexed
  // b0 << 8 | b1: a flat table, as every frame of a log updates it.
  struct Recent {
    bool seen = false;
    uint64_t seq = 0;
    int64_t wall_ns = 0;
  };
  std::vector<Recent> recent_non_command_ = std::vector<Recent>(65536);
  bool time_known_ = false;
  // When a TIME jumped forward across 05:00: the reset it causes shows in the
  // next cycle's report, whose predecessor may already carry the new clock.
  std::optional<int64_t> jumped_across_five_ns_;
  int64_t time_base_local_ms_ = 0;
  int64_t time_base_wall_ns_ = 0;
  struct MasterConflict {
    int64_t first_ns = 0;
    int64_t last_ns = 0;
    uint64_t first_seq = 0;
    bool flagged = false;
  };
  struct IdConflict {
    uint32_t loser_serial = 0;
    int64_t since_ns = 0;
    uint64_t seq = 0;
  };
  std::map<std::pair<uint8_t, uint8_t>, MasterConflict> master_conflicts_;
  std::map<uint8_t, IdConflict> id_conflicts_;
  std::vector<Finding> findings_;
  Shadow shadow_;
  BmsWatch bms_;
};

std::string LocalClockText(int64_t local_ms) {
  const int64_t in_day = ((local_ms % kMsPerDay) + kMsPerDay) % kMsPerDay;
  return fmt::format("{:02}:{:02}:{:02} local", in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60);
}

// A handover is not two masters: the old master stops its FLEET within a
// cycle of hearing the new one, and its heartbeat's role field is corrected
// with its next heartbeat (10 s). Only a conflict still reported after that
// counts.
void Checker::OnChange(const Change& change) {
  if (change.kind == ChangeKind::kTwoMasters) {
    const auto pair = std::minmax(change.node, change.other);
    auto& episode = master_conflicts_[{pair.first, pair.second}];
    if (episode.flagged) return;
    if (episode.first_ns == 0 || change.wall_ns - episode.last_ns > kHandoverNs) {
      episode = {change.wall_ns, change.wall_ns, change.seq, false};
      return;
    }
    episode.last_ns = change.wall_ns;
    if (change.wall_ns - episode.first_ns < kHandoverNs) return;
    episode.flagged = true;
    Flag(change.wall_ns, change.node, "two-masters",
         "one master: a live gateway, else the live pack with the highest node id",
         fmt::format("two masters: {} and {} both act as master (for {} s)", NodeName(change.node), NodeName(change.other),
                     (change.wall_ns - episode.first_ns) / 1'000'000'000),
         {episode.first_seq, change.seq});
  } else if (change.kind == ChangeKind::kDuplicateId) {
    // The higher serial must move to the next free id; flagged when it is heard on the id again.
    // The first report of a conflict starts the clock; repeats of it must not.
    const uint32_t loser = std::max(change.serial, change.other_serial);
    auto it = id_conflicts_.find(change.node);
    if (it == id_conflicts_.end() || it->second.loser_serial != loser) {
      id_conflicts_[change.node] = {loser, change.wall_ns, change.seq};
    }
  }
}

void Checker::OnHeartbeat(const v1::Event& event, const firmware::HeartbeatFrame& f) {
  auto it = id_conflicts_.find(f.node);
  if (it == id_conflicts_.end() || f.serial_lo != it->second.loser_serial) return;
  if (event.wall_time_ns() - it->second.since_ns <= kDecisionAllowanceNs) return;
  Flag(event.wall_time_ns(), f.node, "duplicate-node-id",
       "each node id used by one serial; the higher serial moves to the next free id",
       fmt::format("serial {:08X} still announces {} after the conflict", f.serial_lo, NodeName(f.node)),
       {it->second.seq, event.seq()});
  id_conflicts_.erase(it);
}

void Checker::OnDivergence(const RelayDivergence& d) {
  auto state = [](bool closed) { return closed ? "closed" : "open"; };
  Flag(d.now_ns, d.node, "relay-decision",
       fmt::format("{} {} ({}, by the firmware's own decision on what the pack reported)", RelayName(d.relay),
                   state(d.expected_closed), CauseName(static_cast<uint8_t>(d.expected_cause))),
       fmt::format("{} {} for {} ms", RelayName(d.relay), state(!d.expected_closed), (d.now_ns - d.since_ns) / kNsPerMs),
       d.evidence);
}

void Checker::ExpireCommands(int64_t now_ns) {
  for (auto it = commands_.begin(); it != commands_.end();) {
    if (now_ns - it->wall_ns <= kDecisionAllowanceNs) {
      ++it;
      continue;
    }
    for (uint8_t node : it->expected_acks) {
      if (std::find(it->acked.begin(), it->acked.end(), node) != it->acked.end()) continue;
      Flag(it->wall_ns + kDecisionAllowanceNs, node, "missing-ack",
           fmt::format("an ACK of {} (seq {}) from {}", CommandName(it->command.cmd), it->command.seq, NodeName(node)),
           "no ACK within 2.5 s", {it->seq});
    }
    it = commands_.erase(it);
  }
}

void Checker::CheckWrongLength(const v1::Event& event, const firmware::CanFrame& frame) {
  const auto id = firmware::ClassifyCanV1Id(frame.id, frame.extended, frame.remote, frame.error);
  if (!id.valid) return;
  const auto function = id.function;
  const bool telemetry = function == firmware::CanFunction::kTelBatt || function == firmware::CanFunction::kTelPower ||
                         function == firmware::CanFunction::kTelLoads;
  if (!telemetry || frame.len == 8) return;
  auto& flagged = packs_[id.node].wrong_length_flagged[static_cast<uint8_t>(function)];
  if (flagged) return;
  flagged = true;
  Flag(event.wall_time_ns(), id.node, "telemetry-wrong-length",
       "8-byte telemetry frames", fmt::format("a {}-byte frame with id 0x{:03X}", frame.len, frame.id), {event.seq()});
}

void Checker::OnTelBatt(const v1::Event& event, const firmware::TelBattFrame& f) {
  PackTrack& p = packs_[f.node];
  const int64_t now = event.wall_time_ns();
  const bool lockout = (f.status & firmware::kStatusLockout) != 0;
  const bool grid_closed = (f.relays & 1u) != 0;
  if (lockout && !p.lockout) {
    p.lockout_since_ns = now;
    p.lockout_seq = event.seq();
    p.lockout_flagged = false;
  }
  p.lockout = lockout;
  if (lockout && grid_closed && !p.lockout_flagged && now - p.lockout_since_ns > kDecisionAllowanceNs) {
    p.lockout_flagged = true;
    Flag(now, f.node, "grid-closed-in-lockout",
         "grid relay open while locked out (nothing may close it)",
         fmt::format("grid relay closed {} ms after the lockout began", (now - p.lockout_since_ns) / kNsPerMs),
         {p.lockout_seq, event.seq()});
  }
  // SOC comes from pack voltage only.
  const uint8_t from_voltage = firmware::SocFromMillivolts(static_cast<uint32_t>(f.pack_cV) * 10);
  const int diff = static_cast<int>(f.soc) - static_cast<int>(from_voltage);
  if (!p.soc_flagged && (diff > kSocTolerancePct || diff < -static_cast<int>(kSocTolerancePct))) {
    p.soc_flagged = true;
    Flag(now, f.node, "soc-inconsistent-with-voltage",
         fmt::format("SOC {} % for {}.{:02} V", from_voltage, f.pack_cV / 100, f.pack_cV % 100),
         fmt::format("SOC {} %", f.soc), {event.seq()});
  }
}

void Checker::OnTelPower(const v1::Event& event, const firmware::TelPowerFrame& f) {
  PackTrack& p = packs_[f.node];
  const int64_t now = event.wall_time_ns();
  if (p.has_power && p.last_p_grid_W > 0 && now > p.last_power_ns) {
    p.integrated_Wms += static_cast<uint64_t>(p.last_p_grid_W) * static_cast<uint64_t>((now - p.last_power_ns) / kNsPerMs);
  }
  p.has_power = true;
  p.last_p_grid_W = f.p_grid_W;
  p.last_power_ns = now;
}

void Checker::OnTelLoads(const v1::Event& event, const firmware::TelLoadsFrame& f) {
  PackTrack& p = packs_[f.node];
  const int64_t now = event.wall_time_ns();
  const uint32_t reported = static_cast<uint32_t>(f.grid_today_Wh10) * 10;
  if (p.has_loads && reported + 10 < p.last_reported_Wh && !p.rebooted) {
    // Energy today dropped: a daily reset, unless a command asked for it.
    bool commanded = false;
    for (const auto& c : commands_) {
      commanded = commanded || (c.command.cmd == static_cast<uint8_t>(firmware::Command::kResetGridEnergy));
    }
    const auto local_now = LocalMs(now);
    const auto local_before = p.last_loads_local_ms;
    if (!commanded && local_now && local_before) {
      // A 05:00 must fall between the last report and this one.
      const bool after_jump = jumped_across_five_ns_ && now - *jumped_across_five_ns_ <= kDecisionAllowanceNs + 2'000 * kNsPerMs;
      if (!CrossesFive(*local_before, *local_now) && !after_jump) {
        Flag(now, f.node, "reset-not-at-0500",
             "the daily reset at 05:00 local", fmt::format("grid energy reset at {}", LocalClockText(*local_now)),
             {p.last_loads_seq, event.seq()});
      } else if (p.last_reset_local_ms && *local_now - *p.last_reset_local_ms < kMsPerDay - 3'600'000) {
        Flag(now, f.node, "reset-twice", "one reset a day",
             fmt::format("a second reset at {}", LocalClockText(*local_now)), {p.last_loads_seq, event.seq()});
      }
      p.last_reset_local_ms = *local_now;
    }
  }
  if (!p.has_loads || reported + 10 < p.last_reported_Wh) {
    p.base_Wh = reported;  // a new baseline: first report, reset or reboot
    p.integrated_Wms = 0;
  } else if (!p.energy_flagged) {
    const uint64_t expected_gain_Wh = p.integrated_Wms / firmware::kWmsPerWh;
    const uint64_t gain_Wh = reported - p.base_Wh;
    // Telemetry reports 10 Wh steps and power every 2 s: allow that much slack.
    if (gain_Wh > 10 * expected_gain_Wh + 50) {
      p.energy_flagged = true;
      Flag(now, f.node, "grid-energy-scale",
           fmt::format("about {} Wh more grid energy (integrated from TEL_POWER)", expected_gain_Wh),
           fmt::format("{} Wh more: integrated as if W were kW?", gain_Wh), {p.last_loads_seq, event.seq()});
    } else if (expected_gain_Wh > 100 && gain_Wh == 0) {
      p.energy_flagged = true;
      Flag(now, f.node, "grid-energy-not-integrated",
           fmt::format("about {} Wh more grid energy (integrated from TEL_POWER)", expected_gain_Wh),
           "grid energy today does not move", {p.last_loads_seq, event.seq()});
    }
  }
  p.has_loads = true;
  p.rebooted = false;
  p.last_reported_Wh = reported;
  p.last_loads_ns = now;
  p.last_loads_local_ms = LocalMs(now);
  p.last_loads_seq = event.seq();
}

void Checker::OnRelayEvt(const v1::Event& event, const firmware::RelayEvtFrame& f) {
  PackTrack& p = packs_[f.node];
  const int64_t now = event.wall_time_ns();
  if (f.cause == static_cast<uint8_t>(firmware::RelayCause::kBoot)) p.rebooted = true;
  if (!f.closed && f.cause == static_cast<uint8_t>(firmware::RelayCause::kEco)) {
    p.shed[f.relay] = true;
    p.shed_ns[f.relay] = now;
    p.shed_seq[f.relay] = event.seq();
    return;
  }
  if (f.closed && p.shed[f.relay]) {
    p.shed[f.relay] = false;
    if (now - p.shed_ns[f.relay] < kEcoHoldNs && (f.cause != static_cast<uint8_t>(firmware::RelayCause::kBoot))) {
      Flag(now, f.node, "eco-oscillation",
           fmt::format("{} stays shed at least 30 s", RelayName(f.relay)),
           fmt::format("{} restored {} ms after it was shed", RelayName(f.relay), (now - p.shed_ns[f.relay]) / kNsPerMs),
           {p.shed_seq[f.relay], event.seq()});
    }
  }
}

void Checker::OnAck(const v1::Event& event, const firmware::AckFrame& f) {
  for (auto& c : commands_) {
    if (c.command.cmd == f.cmd && c.command.seq == f.seq &&
        (c.command.node == f.node || c.command.node == firmware::kBroadcastNodeId)) {
      c.acked.push_back(f.node);
      return;
    }
  }
  // Acting on a frame that is not a COMMAND: the 2.5 firmware's id mask.
  std::vector<uint64_t> evidence{event.seq()};
  std::string observed = fmt::format("an ACK of {} (seq {}) with no COMMAND sent", CommandName(f.cmd), f.seq);
  const Recent& source = recent_non_command_[static_cast<size_t>(f.cmd) << 8 | f.seq];
  if (source.seen && event.wall_time_ns() - source.wall_ns <= kDecisionAllowanceNs) {
    evidence.insert(evidence.begin(), source.seq);
    observed += fmt::format(": it answered seq {}, which is not a command frame", source.seq);
  }
  Flag(event.wall_time_ns(), f.node, "acted-on-non-command",
       "commands only from ids 0x000-0x07F addressed to the node or 0x07F", observed, evidence);
}

void Checker::OnEvent(const TypedEvent& typed, const TwinState& state) {
  const v1::Event& event = *typed.event;
  ExpireCommands(typed.wall_ns);
  if (typed.modbus != nullptr) bms_.OnModbus(event);
  if (!typed.frame) return;
  const firmware::CanFrame& frame = *typed.frame;
  CheckWrongLength(event, frame);
  if (!typed.id.valid) return;
  std::visit(Overloaded{
    [&](const firmware::TelBattFrame& f) {
      OnTelBatt(event, f);
      shadow_.OnTelBatt(f, typed.seq, typed.wall_ns);
      bms_.OnTelBatt(f, typed.seq, typed.wall_ns);
    },
    [&](const firmware::TelPowerFrame& f) {
      OnTelPower(event, f);
      shadow_.OnTelPower(f);
    },
    [&](const firmware::TelLoadsFrame& f) {
      OnTelLoads(event, f);
      shadow_.OnTelLoads(f, typed.seq, typed.wall_ns, LocalMs(typed.wall_ns).value_or(0), time_known_);
    },
    [&](const firmware::RelayEvtFrame& f) {
      OnRelayEvt(event, f);
    },
    [&](const firmware::HeartbeatFrame& f) {
      OnHeartbeat(event, f);
    },
    [&](const firmware::AckFrame& f) {
      OnAck(event, f);
      shadow_.OnAck(f);
    },
    [&](const firmware::CommandFrame& f) {
      OnCommand(typed, f, state);
    },
    [&](const firmware::TimeFrame& f) {
      OnTime(typed, f);
    },
    [](const auto&) {},
  }, typed.decoded);
  // What a pack that matched ids by mask (field defect 5) would take for a
  // command: the first two bytes of any other frame but an ACK.
  if (typed.id.function != firmware::CanFunction::kCommand && typed.id.function != firmware::CanFunction::kAck &&
      frame.len >= 2) {
    recent_non_command_[static_cast<size_t>(frame.data[0]) << 8 | frame.data[1]] = {true, typed.seq, typed.wall_ns};
  }
}

void Checker::OnCommand(const TypedEvent& typed, const firmware::CommandFrame& f, const TwinState& state) {
  shadow_.OnCommand(f);
  PendingCommand pending{f, typed.wall_ns, typed.seq, {}, {}};
  // Every live pack acks a broadcast; an addressed pack acks its own.
  for (uint8_t node = 1; node < firmware::kNodeSlots - 1; ++node) {
    const auto& e = firmware::EntryOf(state.fleet.nodes, node);
    const bool pack = e.device_type == static_cast<uint8_t>(firmware::DeviceType::kEnergyPack);
    if (pack && firmware::IsLive(e, TwinMs(typed.wall_ns)) &&
        (f.node == firmware::kBroadcastNodeId || f.node == node)) {
      pending.expected_acks.push_back(node);
    }
  }
  commands_.push_back(std::move(pending));
}

void Checker::OnTime(const TypedEvent& typed, const firmware::TimeFrame& f) {
  if (!firmware::TimeFrameValid(f)) return;
  const auto local_before = LocalMs(typed.wall_ns);
  time_known_ = true;
  time_base_local_ms_ = (static_cast<int64_t>(f.unix_s) + f.utc_offset_min * 60) * 1000;
  time_base_wall_ns_ = typed.wall_ns;
  if (local_before && CrossesFive(*local_before, time_base_local_ms_)) jumped_across_five_ns_ = typed.wall_ns;
}

void Checker::Finish(int64_t end_ns) { ExpireCommands(end_ns + kDecisionAllowanceNs + 1); }

}  // namespace

Result<CheckReport> CheckLog(EventReader& reader, const ProgressFn& progress) {
  Checker checker;
  Folder folder([&checker](const Change& change) { checker.OnChange(change); });
  CheckReport report;
  int64_t last_ns = 0;
  Status walked = ForEachEvent(reader, 0, [&](const StoredEvent&, const v1::Event& event) -> Result<bool> {
    const TypedEvent typed = TypeEvent(event);  // decoded once, for the fold and every rule
    folder.Fold(typed);
    checker.OnEvent(typed, folder.state());
    last_ns = event.wall_time_ns();
    if (progress && (++report.events & 0x3FFF) == 0) progress(report.events);
    return true;
  });
  if (!walked.ok()) return walked;
  report.events = folder.state().events;
  // A command at the very end of a capture cannot be judged: its ACKs may be after it.
  checker.Finish(last_ns - 2 * kDecisionAllowanceNs);
  report.findings = checker.TakeFindings();
  for (const auto& [node, pack] : folder.state().packs) report.nodes_seen.push_back(node);
  for (uint8_t node = 0; node < firmware::kNodeSlots; ++node) {
    if (firmware::EntryOf(folder.state().fleet.nodes, node).present) report.nodes_seen.push_back(node);
  }
  std::sort(report.nodes_seen.begin(), report.nodes_seen.end());
  report.nodes_seen.erase(std::unique(report.nodes_seen.begin(), report.nodes_seen.end()), report.nodes_seen.end());
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.wall_ns < b.wall_ns; });
  return report;
}

Result<CheckReport> CheckLog(EventReader& reader, const CheckScope& scope, const ProgressFn& progress) {
  auto report = CheckLog(reader, progress);
  if (!report.ok()) return report;
  std::erase_if(report->findings, [&scope](const Finding& f) {
    const bool rule_out = !scope.rules.empty() && std::find(scope.rules.begin(), scope.rules.end(), f.rule) == scope.rules.end();
    return rule_out || (scope.node && f.node != *scope.node);
  });
  return report;
}

std::string FindingAsText(const Finding& f) {
  std::string evidence;
  for (uint64_t seq : f.evidence) evidence += (evidence.empty() ? "" : ", ") + std::to_string(seq);
  return fmt::format("{}  {:<5} {}  [{}]\n    expected: {}\n    observed: {}\n    evidence: seq {}\n",
                     FormatDisplayTime(f.wall_ns), f.node == 0 ? "site" : NodeName(f.node), f.rule, f.section, f.expected,
                     f.observed, evidence);
}

nlohmann::ordered_json FindingAsJson(const Finding& f) {
  return {{"time", FormatUtc(f.wall_ns)},
          {"node", f.node == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(NodeName(f.node))},
          {"rule", f.rule},
          {"section", f.section},
          {"expected", f.expected},
          {"observed", f.observed},
          {"evidence_seq", f.evidence}};
}

}  // namespace packtwin::twin
