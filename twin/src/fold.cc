#include "packtwin/twin/fold.h"

#include <variant>

#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/firmware/bridge_reducer.h"

#include <cassert>

#include <algorithm>

#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::twin {

PackView& Folder::Pack(uint8_t node) {
  PackView& view = state_.packs[node];
  view.node = node;
  return view;
}

template <typename Fill>
void Folder::Emit(const TypedEvent& typed, uint8_t node, ChangeKind kind, Fill&& fill) {
  if (!on_change_) return;  // a rebuild without consumers builds no change at all
  Change change;
  change.seq = typed.seq;
  change.wall_ns = typed.wall_ns;
  change.node = node;
  change.kind = kind;
  fill(change);
  on_change_(change);
}

void Folder::EmitFindings(const firmware::FleetFindings& findings, const TypedEvent& typed) {
  for (uint8_t i = 0; i < findings.count; ++i) {
    const auto& f = findings.items[i];
    const auto& entry = firmware::EntryOf(state_.fleet.nodes, f.node);
    switch (f.kind) {
      case firmware::FleetFindingKind::kNodeJoined:
        Emit(typed, f.node, ChangeKind::kNodeJoined, [&](Change& c) {
          c.device_type = entry.device_type;
          c.fw_major = entry.fw_major;
          c.fw_minor = entry.fw_minor;
          c.serial = entry.serial_lo;
          c.role = entry.role;
        });
        break;
      case firmware::FleetFindingKind::kNodeLeft:
        Emit(typed, f.node, ChangeKind::kNodeLeft, [](Change&) {});
        break;
      case firmware::FleetFindingKind::kMasterChanged:
        Emit(typed, f.node, ChangeKind::kMaster, [](Change&) {});
        break;
      case firmware::FleetFindingKind::kTwoMasters:
        Emit(typed, f.node, ChangeKind::kTwoMasters, [&](Change& c) { c.other = f.other; });
        break;
      case firmware::FleetFindingKind::kDuplicateNodeId:
        Emit(typed, f.node, ChangeKind::kDuplicateId, [&](Change& c) {
          c.serial = f.serial;
          c.other_serial = f.other_serial;
        });
        break;
    }
  }
}

// An app command on the broker: the COMMAND frame that follows carries it.
void Folder::NoteAppCommand(const TypedEvent& typed) {
  if (!on_change_ || !bus::IsCommandTopic(typed.mqtt->topic())) return;
  const auto decoded = bus::DecodeAppCommand(typed.mqtt->topic(), typed.mqtt->payload());
  const auto* command = std::get_if<firmware::BridgeCommand>(&decoded);
  if (command == nullptr) return;
  last_app_id_.assign(command->id.text, command->id.len);
  last_app_ns_ = typed.wall_ns;
  last_app_cmd_ = firmware::BridgeCommandFrame(*command).cmd;
}

void Folder::Fold(const TypedEvent& typed) {
  if (state_.events == 0) state_.first_wall_ns = typed.wall_ns;
  ++state_.events;
  state_.last_seq = typed.seq;
  state_.last_wall_ns = typed.wall_ns;
  const uint64_t now_ms = TwinMs(typed.wall_ns);
  if (now_ms >= fleet_due_ms_) {
    firmware::FleetFindings findings;
    // Bounded by the number of nodes: each pass retires one.
    for (int pass = 0; pass < firmware::kNodeSlots && firmware::FleetRunDue(&state_.fleet, now_ms, &findings); ++pass) {
    }
    EmitFindings(findings, typed);
    fleet_due_ms_ = firmware::FleetNextDeadlineMs(state_.fleet);
  }
  if (typed.frame) OnCanFrame(typed);
  if (typed.mqtt != nullptr) {
    NoteAppCommand(typed);
    Emit(typed, 0, ChangeKind::kMqtt, [&](Change& c) {
      c.mqtt_topic = typed.mqtt->topic();
      c.mqtt_payload = typed.mqtt->payload();
      c.mqtt_out = typed.mqtt->direction() == v1::DIRECTION_TX;
      c.mqtt_retained = typed.mqtt->retained();
    });
  }
}

void Folder::OnCanFrame(const TypedEvent& typed) {
  const uint64_t now_ms = TwinMs(typed.wall_ns);
  firmware::FleetFindings findings;
  // The fleet reducer is the firmware's: it takes the frame as a pack would.
  firmware::FleetOnCanFrame(&state_.fleet, *typed.frame, now_ms, &findings);
  EmitFindings(findings, typed);
  if (!typed.id.valid) return;
  switch (typed.id.function) {
    case firmware::CanFunction::kHeartbeat:
      fleet_due_ms_ = std::min(fleet_due_ms_, now_ms + firmware::kNodeTtlMs + 1);
      return;  // the fleet reducer took it
    case firmware::CanFunction::kFleet:
      return;  // likewise
    default:
      break;
  }
  if (typed.status == firmware::DecodeStatus::kBadLength) ++state_.bad_length_frames;
  std::visit(Overloaded{
    [&](const firmware::TelBattFrame& f) {
      PackView& pack = Pack(f.node);
      const uint8_t changed_modes = pack.has_batt ? static_cast<uint8_t>(pack.modes ^ f.modes) : 0;
      for (uint8_t bit = 0; bit < firmware::kModeCount; ++bit) {
        if ((changed_modes >> bit) & 1u) {
          Emit(typed, f.node, ChangeKind::kFunction, [&](Change& c) {
            c.mode_bit = bit;
            c.on = ((f.modes >> bit) & 1u) != 0;
          });
        }
      }
      const bool lockout = (f.status & firmware::kStatusLockout) != 0;
      if (pack.has_batt && lockout != ((pack.status & firmware::kStatusLockout) != 0)) {
        Emit(typed, f.node, ChangeKind::kLockout, [&](Change& c) { c.on = lockout; });
      }
      pack.has_batt = true;
      pack.pack_cV = f.pack_cV;
      pack.current_cA = f.current_cA;
      pack.soc = f.soc;
      pack.relays = f.relays;
      pack.modes = f.modes;
      pack.status = f.status;
      pack.last_seq = typed.seq;
      pack.last_wall_ns = typed.wall_ns;
    },
    [&](const firmware::TelPowerFrame& f) {
      PackView& pack = Pack(f.node);
      pack.has_power = true;
      pack.p_grid_W = f.p_grid_W;
      pack.p_home_W = f.p_home_W;
      pack.p_batt_W = f.p_batt_W;
      pack.p_solar_W = f.p_solar_W;
    },
    [&](const firmware::TelLoadsFrame& f) {
      PackView& pack = Pack(f.node);
      if (pack.has_loads && f.grid_budget_kWh != pack.grid_budget_kWh) {
        Emit(typed, f.node, ChangeKind::kLimit, [&](Change& c) {
          c.limit = LimitKind::kGridBudget;
          c.before = pack.grid_budget_kWh;
          c.after = f.grid_budget_kWh;
        });
      }
      if (pack.has_loads && f.eco_limit_100W != pack.eco_limit_100W) {
        Emit(typed, f.node, ChangeKind::kLimit, [&](Change& c) {
          c.limit = LimitKind::kEcoLimit;
          c.before = pack.eco_limit_100W * 100;
          c.after = f.eco_limit_100W * 100;
        });
      }
      pack.has_loads = true;
      pack.p_pool_W = f.p_pool_W;
      pack.p_heater_W = f.p_heater_W;
      pack.grid_today_Wh10 = f.grid_today_Wh10;
      pack.grid_budget_kWh = f.grid_budget_kWh;
      pack.eco_limit_100W = f.eco_limit_100W;
    },
    [&](const firmware::RelayEvtFrame& f) {
      PackView& pack = Pack(f.node);
      assert(f.relay < pack.relay.size() && "DecodeRelayEvt refuses relays beyond 4");
      pack.relay[f.relay] = {true, f.closed == 1, f.cause, typed.seq};
      pack.relays = f.relays_after;
      Emit(typed, f.node, ChangeKind::kRelay, [&](Change& c) {
        c.relay = f.relay;
        c.closed = f.closed != 0;
        c.cause = f.cause;
      });
    },
    [&](const firmware::AlarmFrame& f) {
      PackView& pack = Pack(f.node);
      assert(f.code < pack.alarm_active.size() && "DecodeAlarm refuses unknown alarm codes");
      pack.alarm_active[f.code] = f.active == 1;
      if (f.code == static_cast<uint8_t>(firmware::AlarmCode::kBmsAlarmBits)) pack.bms_alarm_bits = f.bms_alarm_bits;
      Emit(typed, f.node, ChangeKind::kAlarm, [&](Change& c) {
        c.alarm = f.code;
        c.on = f.active != 0;
      });
    },
    [&](const firmware::CommandFrame& f) {
      std::string app_id;
      // The app command of the last 100 ms this frame carries (bridge-mqtt.md).
      if (!last_app_id_.empty() && typed.wall_ns - last_app_ns_ <= 100'000'000 && f.cmd == last_app_cmd_) {
        app_id = std::move(last_app_id_);
        last_app_id_.clear();
        app_of_command_[static_cast<uint16_t>(f.cmd << 8 | f.seq)] = {app_id, typed.wall_ns};
      }
      Emit(typed, f.node == firmware::kBroadcastNodeId ? 0 : f.node, ChangeKind::kCommand, [&](Change& c) {
        c.command = f;
        c.app_id = app_id;
      });
    },
    [&](const firmware::AckFrame& f) {
      Emit(typed, f.node, ChangeKind::kAck, [&](Change& c) {
        c.ack = f;
        const auto app = app_of_command_.find(static_cast<uint16_t>(f.cmd << 8 | f.seq));
        if (app != app_of_command_.end() && typed.wall_ns - app->second.second <= 2'500'000'000) c.app_id = app->second.first;
      });
    },
    [&](const firmware::TimeFrame& f) {
      Emit(typed, f.node, ChangeKind::kTime, [&](Change& c) { c.time = f; });
    },
    [](const auto&) {},
  }, typed.decoded);
}

}  // namespace packtwin::twin
