#include "packtwin/replay/site_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "packtwin/eventlog/atomic_path.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/pack_reducer.h"
#include "packtwin/twin/firmware_frame.h"

namespace packtwin::replay {
namespace {

constexpr uint8_t kBridgeNode = 0x01;
constexpr int64_t kCtEveryMs = 1000;
constexpr int64_t kBmsLatencyMs = 15;
constexpr int64_t kCapacityWms = 10'000LL * 3'600'000;  // 10 kWh
constexpr int32_t kMaxBatteryW = 3000;
constexpr int kMaxBusRounds = 64;  // replies to replies within one instant

// xorshift64*: the same sequence on every machine.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  int32_t Range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
};

struct SimPack {
  firmware::PackState state;
  uint64_t serial = 0;
  int64_t boot_ms = 0;
  bool booted = false;
  int64_t energy_Wms = kCapacityWms / 2;
  int32_t p_batt_W = 0;
  int64_t bms_reply_at_ms = INT64_MAX;
  std::string bms_request;
  int64_t next_ct_ms = 0;
  Rng rng{1};
};

// Watts at a local time of day (ms), integer-only and piecewise linear.
int32_t SolarW(int64_t day_ms, int32_t peak_W) {
  const int64_t rise = 7 * 3'600'000;
  const int64_t noon = 13 * 3'600'000;
  const int64_t set = 19 * 3'600'000;
  if (day_ms <= rise || day_ms >= set) return 0;
  const int64_t from_noon = day_ms < noon ? noon - day_ms : day_ms - noon;
  return static_cast<int32_t>(peak_W * (noon - rise - from_noon) / (noon - rise));
}

bool Between(int64_t day_ms, int hour_from, int hour_to) {
  return day_ms >= hour_from * 3'600'000LL && day_ms < hour_to * 3'600'000LL;
}

class Site {
 public:
  explicit Site(const SimConfig& config, EventWriter* writer) : config_(config), writer_(writer) {
    Rng seeds{config.seed * 0x9E3779B97F4A7C15ull + 1};
    for (int i = 0; i < config.packs; ++i) {
      auto pack = std::make_unique<SimPack>();
      pack->serial = 0x24A160000000ull | (seeds.Next() & 0xFFFFFFFull);
      pack->boot_ms = 100LL * i;  // staggered power-on
      pack->rng.s = seeds.Next() | 1;
      pack->energy_Wms = kCapacityWms * seeds.Range(30, 70) / 100;
      packs_.push_back(std::move(pack));
    }
  }

  Status Run(const SimProgressFn& progress) {
    int64_t next_progress = 0;
    // Bounded by the duration: every pass moves time forward to the next due thing.
    for (int64_t t = 0; t <= config_.duration_ms;) {
      PACKTWIN_RETURN_IF_ERROR(Step(t));
      PACKTWIN_RETURN_IF_ERROR(DrainBus(t));
      if (progress && t >= next_progress) {
        progress(t, config_.duration_ms);
        next_progress = t + 3'600'000;
      }
      const int64_t next = NextTime();
      if (next <= t) return Status::Error("simulator: time did not advance (a bug)");
      t = next;
    }
    return Status::Ok();
  }

  const SimSummary& summary() const { return summary_; }

 private:
  int64_t LocalDayMs(int64_t t) const {
    const int64_t local = (config_.start_unix_s + config_.utc_offset_min * 60) * 1000 + t;
    return local % 86'400'000;
  }
  int64_t WallNs(int64_t t) const { return config_.start_unix_s * 1'000'000'000 + t * 1'000'000; }

  // An event at simulated time t (ms) from `source`.
  v1::Event Stamped(int64_t t, const std::string& source) const {
    v1::Event event;
    event.set_wall_time_ns(WallNs(t));
    event.set_capture_time_ns(WallNs(t));
    event.set_source(source);
    return event;
  }

  int64_t NextTime() const {
    int64_t next = std::min(next_bridge_heartbeat_, next_bridge_time_);
    for (const auto& p : packs_) {
      if (!p->booted) {
        next = std::min(next, p->boot_ms);
        continue;
      }
      next = std::min({next, static_cast<int64_t>(firmware::PackNextDeadlineMs(p->state)), p->bms_reply_at_ms, p->next_ct_ms});
    }
    return next;
  }

  Status Record(v1::Event event) {
    auto seq = writer_->Append(std::move(event));
    if (!seq.ok()) return seq.status();
    ++summary_.events;
    return Status::Ok();
  }

  Status Effects(SimPack& p, const firmware::Effects& effects, int64_t t) {
    for (uint8_t i = 0; i < effects.count; ++i) {
      const auto& e = effects.items[i];
      switch (e.kind) {
        case firmware::EffectKind::kCanSend:
          bus_.push_back({e.frame, &p});
          break;
        case firmware::EffectKind::kModbusSend:
          p.bms_request.assign(reinterpret_cast<const char*>(e.modbus), firmware::kBmsRequestLen);
          p.bms_reply_at_ms = t + kBmsLatencyMs;
          break;
        case firmware::EffectKind::kRelaySet: {
          v1::Event event = Stamped(t, "simulator");
          auto* change = event.mutable_relay_change();
          change->set_node(p.state.settings.node_id);
          change->set_relay(e.relay);
          change->set_closed(e.closed);
          change->set_cause(static_cast<v1::RelayCause>(e.cause));
          change->set_origin(v1::RELAY_ORIGIN_SIMULATOR);
          ++summary_.relay_changes;
          PACKTWIN_RETURN_IF_ERROR(Record(std::move(event)));
          break;
        }
        case firmware::EffectKind::kStorageWrite:
        case firmware::EffectKind::kAlarm:
          break;  // the ALARM frame itself is on the bus
      }
    }
    return Status::Ok();
  }

  Status Step(int64_t t) {
    if (t >= next_bridge_heartbeat_) {
      bus_.push_back({firmware::EncodeHeartbeat({kBridgeNode, 3, 1, 0, 2, 0xB41D6E00}), nullptr});
      next_bridge_heartbeat_ += 10'000;
    }
    if (t >= next_bridge_time_) {
      const auto unix_s = static_cast<uint32_t>(config_.start_unix_s + t / 1000);
      bus_.push_back({firmware::EncodeTime({kBridgeNode, unix_s, config_.utc_offset_min, 1}), nullptr});
      next_bridge_time_ += 3'600'000;
    }
    for (auto& p : packs_) {
      firmware::Effects effects;
      if (!p->booted && t >= p->boot_ms) {
        firmware::PackSettings stored;
        stored.valid = true;
        stored.node_id = firmware::NodeIdFromSerial(p->serial);
        stored.modes = config_.modes;
        stored.eco_limit_W = config_.eco_limit_W;
        stored.grid_budget_kWh = config_.grid_budget_kWh;
        firmware::PackBoot(&p->state, p->serial, stored, static_cast<uint64_t>(t), &effects);
        p->booted = true;
        p->next_ct_ms = t;
        PACKTWIN_RETURN_IF_ERROR(Effects(*p, effects, t));
      }
      if (!p->booted) continue;
      // One duty per call; bounded by the duties a single instant can hold.
      for (int duty = 0; duty < 16; ++duty) {
        effects.Clear();
        if (!firmware::PackRunDue(&p->state, static_cast<uint64_t>(t), &effects)) break;
        PACKTWIN_RETURN_IF_ERROR(Effects(*p, effects, t));
      }
      if (t >= p->bms_reply_at_ms) PACKTWIN_RETURN_IF_ERROR(AnswerBms(*p, t));
      if (t >= p->next_ct_ms) PACKTWIN_RETURN_IF_ERROR(SampleCts(*p, t));
    }
    return Status::Ok();
  }

  Status AnswerBms(SimPack& p, int64_t t) {
    p.bms_reply_at_ms = INT64_MAX;
    const int64_t soc_permille = std::clamp<int64_t>(p.energy_Wms * 1000 / kCapacityWms, 0, 1000);
    const auto voltage_dV = static_cast<uint16_t>((46400 + soc_permille * 16) / 100);
    const auto current_cA = static_cast<int16_t>(p.p_batt_W * 100'000 / (voltage_dV * 100));
    std::string reply = {1, 3, 8, static_cast<char>(voltage_dV >> 8), static_cast<char>(voltage_dV & 0xFF),
                         static_cast<char>(static_cast<uint16_t>(current_cA) >> 8),
                         static_cast<char>(static_cast<uint16_t>(current_cA) & 0xFF), 0, 0, 0, static_cast<char>(225)};
    const uint16_t crc = firmware::Crc16Modbus(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
    reply.push_back(static_cast<char>(crc & 0xFF));
    reply.push_back(static_cast<char>(crc >> 8));
    firmware::Effects effects;
    firmware::PackOnBmsBytes(&p.state, reinterpret_cast<const uint8_t*>(reply.data()), reply.size(),
                             static_cast<uint64_t>(t), &effects);
    PACKTWIN_RETURN_IF_ERROR(Effects(p, effects, t));
    v1::Event event = Stamped(t, fmt::format("modbus-rtu:pack-{:02X}", p.state.settings.node_id));
    auto* m = event.mutable_modbus();
    m->set_port(fmt::format("pack-{:02X}", p.state.settings.node_id));
    m->set_transport(v1::TRANSPORT_RTU);
    m->set_request(p.bms_request);
    m->set_reply(reply);
    m->set_status(v1::MODBUS_OK);
    m->set_latency_us(static_cast<uint32_t>(kBmsLatencyMs * 1000));
    ++summary_.modbus_exchanges;
    return Record(std::move(event));
  }

  // The household this second: loads by relay, solar, and the battery between.
  Status SampleCts(SimPack& p, int64_t t) {
    p.next_ct_ms = t + kCtEveryMs;
    const int64_t day = LocalDayMs(t);
    const uint8_t relays = p.state.decision.relays;
    const bool inverter = (relays >> firmware::kRelayInverter) & 1u;
    const int32_t home_W = inverter ? 250 + (Between(day, 18, 22) ? 1200 : 0) + p.rng.Range(0, 300) : 0;
    const int32_t pool_W = ((relays >> firmware::kRelayPool) & 1u) && Between(day, 10, 16) ? 700 : 0;
    const int32_t heater_W =
        ((relays >> firmware::kRelayHeater) & 1u) && (Between(day, 6, 7) || Between(day, 19, 20)) ? 2000 : 0;
    const int32_t solar_W = SolarW(day, 7000);
    const int32_t load_W = home_W + pool_W + heater_W;
    int32_t batt_W = std::clamp(solar_W - load_W, -kMaxBatteryW, kMaxBatteryW);
    if (batt_W > 0 && p.energy_Wms >= kCapacityWms) batt_W = 0;
    if (batt_W < 0 && p.energy_Wms <= 0) batt_W = 0;
    const bool grid_closed = (relays >> firmware::kRelayGrid) & 1u;
    const int32_t grid_W = grid_closed ? std::max(0, load_W - solar_W + batt_W) : 0;
    p.p_batt_W = batt_W;
    p.energy_Wms = std::clamp<int64_t>(p.energy_Wms + static_cast<int64_t>(batt_W) * kCtEveryMs, 0, kCapacityWms);
    auto mA = [](int32_t watts) { return static_cast<uint32_t>(watts * 1000 / 220); };
    const firmware::CtSample sample{mA(grid_W), mA(home_W), mA(pool_W), mA(heater_W)};
    firmware::Effects effects;
    firmware::PackOnCtSample(&p.state, sample, static_cast<uint64_t>(t), &effects);
    v1::Event event = Stamped(t, "simulator");
    auto* s = event.mutable_sensor_sample();
    s->set_node(p.state.settings.node_id);
    s->set_grid_ma(sample.grid_mA);
    s->set_home_ma(sample.home_mA);
    s->set_pool_ma(sample.pool_mA);
    s->set_heater_ma(sample.heater_mA);
    return Record(std::move(event));
  }

  // Frames sent at this instant go out in arbitration order (lowest id first);
  // each reaches every other powered node, whose answers join the queue.
  Status DrainBus(int64_t t) {
    for (int round = 0; round < kMaxBusRounds && !bus_.empty(); ++round) {
      std::vector<Pending> sending;
      sending.swap(bus_);
      std::stable_sort(sending.begin(), sending.end(),
                       [](const Pending& a, const Pending& b) { return a.frame.id < b.frame.id; });
      for (const auto& pending : sending) {
        auto event = twin::EventFromFirmwareFrame(pending.frame, WallNs(t));
        event.mutable_can_frame()->set_direction(v1::DIRECTION_RX);
        ++summary_.frames;
        PACKTWIN_RETURN_IF_ERROR(Record(std::move(event)));
        for (auto& p : packs_) {
          if (p.get() == pending.sender || !p->booted) continue;
          firmware::Effects effects;
          firmware::PackOnCanFrame(&p->state, pending.frame, static_cast<uint64_t>(t), &effects);
          PACKTWIN_RETURN_IF_ERROR(Effects(*p, effects, t));
        }
      }
    }
    return Status::Ok();
  }

  struct Pending {
    firmware::CanFrame frame;
    const SimPack* sender;
  };

  const SimConfig& config_;
  EventWriter* writer_;
  std::vector<std::unique_ptr<SimPack>> packs_;
  std::vector<Pending> bus_;
  int64_t next_bridge_heartbeat_ = 0;
  int64_t next_bridge_time_ = 1000;
  SimSummary summary_;
};

}  // namespace

Result<SimSummary> Simulate(const SimConfig& config, const SimProgressFn& progress) {
  if (config.packs < 1 || config.packs > 100) return Status::Error("--packs: 1 to 100 packs");
  if (config.duration_ms <= 0) return Status::Error("--duration: must be positive");
  auto target = AtomicPath::Prepare(config.output, config.force);
  if (!target.ok()) return target.status();
  WriterOptions options;
  options.site = config.site;
  options.tool_version = config.tool_version;
  options.durable = false;
  options.background_commits = false;
  auto writer = EventWriter::Create(target->temp_path(), options);
  if (!writer.ok()) return writer.status();
  v1::Event start;
  start.set_wall_time_ns(config.start_unix_s * 1'000'000'000);
  start.set_capture_time_ns(start.wall_time_ns());
  start.set_source("simulator");
  start.mutable_capture_start()->set_tool_version(config.tool_version);
  start.mutable_capture_start()->add_sources("simulator");
  start.mutable_capture_start()->set_configuration(
      nlohmann::json{{"simulate", {{"packs", config.packs}, {"duration_ms", config.duration_ms}, {"seed", config.seed},
                                   {"modes", config.modes}, {"eco_limit_W", config.eco_limit_W}}}}
          .dump());
  PACKTWIN_RETURN_IF_ERROR((*writer)->Append(std::move(start)).status());
  Site site(config, writer->get());
  PACKTWIN_RETURN_IF_ERROR(site.Run(progress));
  SimSummary summary = site.summary();
  v1::Event stop;
  stop.set_wall_time_ns((config.start_unix_s * 1000 + config.duration_ms) * 1'000'000);
  stop.set_capture_time_ns(stop.wall_time_ns());
  stop.set_source("simulator");
  stop.mutable_capture_stop()->set_reason("end of simulation");
  stop.mutable_capture_stop()->set_events(summary.events + 2);
  PACKTWIN_RETURN_IF_ERROR((*writer)->Append(std::move(stop)).status());
  summary.events += 2;
  PACKTWIN_RETURN_IF_ERROR((*writer)->SetMeta(meta_key::kStartedNs, std::to_string(config.start_unix_s * 1'000'000'000)));
  PACKTWIN_RETURN_IF_ERROR((*writer)->Close());
  PACKTWIN_RETURN_IF_ERROR(target->Commit());
  return summary;
}

}  // namespace packtwin::replay
