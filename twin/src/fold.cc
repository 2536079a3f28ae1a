#include "packtwin/twin/fold.h"

#include <cassert>

#include <algorithm>

#include <fmt/format.h>

#include "packtwin/eventlog/time_spec.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin {
namespace {

using firmware::DecodeStatus;

std::string CommandText(const firmware::CommandFrame& c) {
  const std::string to = c.node == firmware::kBroadcastNodeId ? "all packs" : NodeName(c.node);
  std::string args;
  switch (static_cast<firmware::Command>(c.cmd)) {
    case firmware::Command::kSetMode:
      if (c.args_len == 2) args = fmt::format(" {} {}", ModeName(static_cast<uint8_t>(c.args[0] - 1)), c.args[1] ? "on" : "off");
      break;
    case firmware::Command::kSetEcoLimit:
      if (c.args_len == 2) args = fmt::format(" {} W", c.args[0] | (c.args[1] << 8));
      break;
    case firmware::Command::kSetGridBudget:
      if (c.args_len == 1) args = fmt::format(" {} kWh", c.args[0]);
      break;
    case firmware::Command::kSetTouWindow:
      if (c.args_len == 2) args = fmt::format(" {:02}:00-{:02}:00", c.args[0], c.args[1]);
      break;
    case firmware::Command::kSetRelay:
      if (c.args_len == 2) {
        args = fmt::format(" {} {}", RelayName(c.args[0]),
                           c.args[1] == firmware::kManualClear ? "clear" : c.args[1] ? "closed" : "open");
      }
      break;
    default:
      break;
  }
  return fmt::format("command {}{} (seq {}) to {}", CommandName(c.cmd), args, c.seq, to);
}

}  // namespace

PackView& Folder::Pack(uint8_t node) {
  PackView& view = state_.packs[node];
  view.node = node;
  return view;
}

void Folder::Emit(const v1::Event& event, uint8_t node, ChangeKind kind, std::string text) {
  if (!on_change_) return;
  on_change_(Change{event.seq(), event.wall_time_ns(), node, kind, std::move(text)});
}

void Folder::EmitFindings(const firmware::FleetFindings& findings, const v1::Event& event) {
  for (uint8_t i = 0; i < findings.count; ++i) {
    const auto& f = findings.items[i];
    const auto& entry = firmware::EntryOf(state_.fleet.nodes, f.node);
    switch (f.kind) {
      case firmware::FleetFindingKind::kNodeJoined:
        Emit(event, f.node, ChangeKind::kNodeJoined,
             fmt::format("node {} joined: {} firmware {}.{} serial {:08X} ({})", NodeName(f.node),
                         DeviceTypeName(entry.device_type), entry.fw_major, entry.fw_minor, entry.serial_lo,
                         RoleName(entry.role)));
        break;
      case firmware::FleetFindingKind::kNodeLeft:
        Emit(event, f.node, ChangeKind::kNodeLeft,
             fmt::format("node {} left: no heartbeat for more than 120 s", NodeName(f.node)));
        break;
      case firmware::FleetFindingKind::kMasterChanged:
        Emit(event, f.node, ChangeKind::kMaster,
             f.node == 0 ? std::string("no master: no live pack or gateway")
                         : fmt::format("master by the rules is now {}", NodeName(f.node)));
        break;
      case firmware::FleetFindingKind::kTwoMasters:
        if (!on_change_) break;
        on_change_(Change{event.seq(), event.wall_time_ns(), f.node, ChangeKind::kTwoMasters,
                          fmt::format("two masters: {} and {} both act as master", NodeName(f.node), NodeName(f.other)),
                          f.other});
        break;
      case firmware::FleetFindingKind::kDuplicateNodeId:
        if (!on_change_) break;
        on_change_(Change{event.seq(), event.wall_time_ns(), f.node, ChangeKind::kDuplicateId,
                          fmt::format("duplicate node id {}: serials {:08X} and {:08X}", NodeName(f.node), f.serial,
                                      f.other_serial),
                          0, f.serial, f.other_serial});
        break;
    }
  }
}

void Folder::Fold(const v1::Event& event) {
  if (state_.events == 0) state_.first_wall_ns = event.wall_time_ns();
  ++state_.events;
  state_.last_seq = event.seq();
  state_.last_wall_ns = event.wall_time_ns();
  const uint64_t now_ms = TwinMs(event.wall_time_ns());
  if (now_ms >= fleet_due_ms_) {
    firmware::FleetFindings findings;
    // Bounded by the number of nodes: each pass retires one.
    for (int pass = 0; pass < firmware::kNodeSlots && firmware::FleetRunDue(&state_.fleet, now_ms, &findings); ++pass) {
    }
    EmitFindings(findings, event);
    fleet_due_ms_ = firmware::FleetNextDeadlineMs(state_.fleet);
  }
  if (event.has_can_frame()) OnCanFrame(event);
}

void Folder::OnCommand(const v1::Event& event, const firmware::CommandFrame& command) {
  Emit(event, command.node == firmware::kBroadcastNodeId ? 0 : command.node, ChangeKind::kCommand, CommandText(command));
}

void Folder::OnCanFrame(const v1::Event& event) {
  const auto frame = bus::ToFirmwareFrame(event.can_frame());
  if (!frame) return;
  const uint64_t now_ms = TwinMs(event.wall_time_ns());
  firmware::FleetFindings findings;
  firmware::FleetOnCanFrame(&state_.fleet, *frame, now_ms, &findings);
  EmitFindings(findings, event);
  const auto id = firmware::ClassifyCanV1Id(frame->id, frame->extended, frame->remote, frame->error);
  if (!id.valid) return;
  if (id.function == firmware::CanFunction::kHeartbeat) {
    fleet_due_ms_ = std::min(fleet_due_ms_, now_ms + firmware::kNodeTtlMs + 1);
  }
  DecodeStatus status = DecodeStatus::kOk;
  switch (id.function) {
    case firmware::CanFunction::kTelBatt: {
      firmware::TelBattFrame f;
      if ((status = DecodeTelBatt(*frame, &f)) != DecodeStatus::kOk) break;
      PackView& pack = Pack(f.node);
      const uint8_t changed_modes = pack.has_batt ? static_cast<uint8_t>(pack.modes ^ f.modes) : 0;
      for (uint8_t bit = 0; bit < firmware::kModeCount; ++bit) {
        if ((changed_modes >> bit) & 1u) {
          Emit(event, f.node, ChangeKind::kFunction,
               fmt::format("{} switched {}", ModeName(bit), ((f.modes >> bit) & 1u) ? "on" : "off"));
        }
      }
      const bool lockout = (f.status & firmware::kStatusLockout) != 0;
      if (pack.has_batt && lockout != ((pack.status & firmware::kStatusLockout) != 0)) {
        Emit(event, f.node, ChangeKind::kLockout, lockout ? "grid import lockout began" : "grid import lockout ended");
      }
      pack.has_batt = true;
      pack.pack_cV = f.pack_cV;
      pack.current_cA = f.current_cA;
      pack.soc = f.soc;
      pack.relays = f.relays;
      pack.modes = f.modes;
      pack.status = f.status;
      pack.last_seq = event.seq();
      pack.last_wall_ns = event.wall_time_ns();
      break;
    }
    case firmware::CanFunction::kTelPower: {
      firmware::TelPowerFrame f;
      if ((status = DecodeTelPower(*frame, &f)) != DecodeStatus::kOk) break;
      PackView& pack = Pack(f.node);
      pack.has_power = true;
      pack.p_grid_W = f.p_grid_W;
      pack.p_home_W = f.p_home_W;
      pack.p_batt_W = f.p_batt_W;
      pack.p_solar_W = f.p_solar_W;
      break;
    }
    case firmware::CanFunction::kTelLoads: {
      firmware::TelLoadsFrame f;
      if ((status = DecodeTelLoads(*frame, &f)) != DecodeStatus::kOk) break;
      PackView& pack = Pack(f.node);
      if (pack.has_loads && f.grid_budget_kWh != pack.grid_budget_kWh) {
        Emit(event, f.node, ChangeKind::kLimit, fmt::format("grid budget {} -> {} kWh", pack.grid_budget_kWh, f.grid_budget_kWh));
      }
      if (pack.has_loads && f.eco_limit_100W != pack.eco_limit_100W) {
        Emit(event, f.node, ChangeKind::kLimit,
             fmt::format("eco limit {} -> {} W", pack.eco_limit_100W * 100, f.eco_limit_100W * 100));
      }
      pack.has_loads = true;
      pack.p_pool_W = f.p_pool_W;
      pack.p_heater_W = f.p_heater_W;
      pack.grid_today_Wh10 = f.grid_today_Wh10;
      pack.grid_budget_kWh = f.grid_budget_kWh;
      pack.eco_limit_100W = f.eco_limit_100W;
      break;
    }
    case firmware::CanFunction::kRelayEvt: {
      firmware::RelayEvtFrame f;
      if ((status = DecodeRelayEvt(*frame, &f)) != DecodeStatus::kOk) break;
      PackView& pack = Pack(f.node);
      assert(f.relay < pack.relay.size() && "DecodeRelayEvt refuses relays beyond 4");
      pack.relay[f.relay] = {true, f.closed == 1, f.cause, event.seq()};
      pack.relays = f.relays_after;
      Emit(event, f.node, ChangeKind::kRelay,
           fmt::format("relay {} {} ({})", RelayName(f.relay), f.closed ? "closed" : "opened", CauseName(f.cause)));
      break;
    }
    case firmware::CanFunction::kAlarm: {
      firmware::AlarmFrame f;
      if ((status = DecodeAlarm(*frame, &f)) != DecodeStatus::kOk) break;
      PackView& pack = Pack(f.node);
      assert(f.code < pack.alarm_active.size() && "DecodeAlarm refuses unknown alarm codes");
      pack.alarm_active[f.code] = f.active == 1;
      if (f.code == static_cast<uint8_t>(firmware::AlarmCode::kBmsAlarmBits)) pack.bms_alarm_bits = f.bms_alarm_bits;
      Emit(event, f.node, ChangeKind::kAlarm,
           fmt::format("alarm {} {}", AlarmName(f.code), f.active ? "raised" : "cleared"));
      break;
    }
    case firmware::CanFunction::kCommand: {
      firmware::CommandFrame f;
      if ((status = DecodeCommand(*frame, &f)) == DecodeStatus::kOk) OnCommand(event, f);
      break;
    }
    case firmware::CanFunction::kAck: {
      firmware::AckFrame f;
      if ((status = DecodeAck(*frame, &f)) != DecodeStatus::kOk) break;
      Emit(event, f.node, ChangeKind::kAck,
           fmt::format("ACK {} (seq {}): {}", CommandName(f.cmd), f.seq, AckStatusName(f.status)));
      break;
    }
    case firmware::CanFunction::kTime: {
      firmware::TimeFrame f;
      if ((status = DecodeTime(*frame, &f)) != DecodeStatus::kOk) break;
      Emit(event, f.node, ChangeKind::kTime,
           fmt::format("time {} (UTC offset {:+} min) from {}",
                       FormatUtc(static_cast<int64_t>(f.unix_s) * 1'000'000'000), f.utc_offset_min, NodeName(f.node)));
      break;
    }
    case firmware::CanFunction::kHeartbeat:
    case firmware::CanFunction::kFleet:
      break;  // the fleet reducer took them
  }
  if (status == DecodeStatus::kBadLength) ++state_.bad_length_frames;
}

}  // namespace packtwin::twin
