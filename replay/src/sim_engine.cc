#include "packtwin/replay/sim_engine.h"

#include "packtwin/bus/bridge_mqtt_codec.h"

#include <fmt/format.h>

#include <algorithm>

#include "packtwin/base/atomic_path.h"
#include "packtwin/base/bug.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/pack_reducer.h"
#include "packtwin/bus/firmware_frame.h"

namespace packtwin::replay {
namespace {

constexpr int64_t kCtEveryMs = 1000;
constexpr int64_t kHeartbeatEveryMs = 10'000;
constexpr int kMaxBusRounds = 64;   // replies to replies within one instant
constexpr int kMaxDutiesPerInstant = 16;

// What a passive tap would call this reply.
v1::ModbusStatus TapStatus(const std::string& reply) {
  const auto parsed = firmware::ParseBmsReply(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
  switch (parsed.status) {
    case firmware::BmsReplyStatus::kOk:
      return v1::MODBUS_OK;
    case firmware::BmsReplyStatus::kCrcError:
      return v1::MODBUS_CRC_ERROR;
    case firmware::BmsReplyStatus::kException:
      return v1::MODBUS_EXCEPTION;
    default:
      return v1::MODBUS_MALFORMED;
  }
}

}  // namespace

std::string EncodeBmsReply(uint16_t voltage_dV, int16_t current_cA, uint16_t alarm_bits, int16_t temp_dC) {
  uint8_t reply[firmware::kBmsReplyLen];
  firmware::EncodeBmsReply({voltage_dV, current_cA, alarm_bits, temp_dC}, reply);
  return std::string(reinterpret_cast<const char*>(reply), sizeof reply);
}

std::string EncodeExceptionReply(uint8_t function, uint8_t exception_code) {
  uint8_t reply[firmware::kExceptionReplyLen];
  firmware::EncodeExceptionReply(function, exception_code, reply);
  return std::string(reinterpret_cast<const char*>(reply), sizeof reply);
}

SimEngine::SimEngine(SimSiteConfig config, eventlog::EventWriter* writer, SimModel* model)
    : config_(std::move(config)), writer_(writer), model_(model) {
  for (const auto& pack_config : config_.packs) {
    auto pack = std::make_unique<SimPack>();
    pack->index = packs_.size();
    pack->config = pack_config;
    pack->flash = pack_config.stored;
    packs_.push_back(std::move(pack));
  }
  next_bridge_heartbeat_ms_ = config_.bridge ? 0 : kNeverMs;
  next_bridge_time_ms_ = config_.bridge_time_every_ms == kNeverMs ? kNeverMs : config_.bridge_first_time_ms;
  // The gateway joins with its first heartbeat.
  next_gateway_heartbeat_ms_ = config_.gateway.present ? config_.gateway.join_ms : kNeverMs;
}

int64_t SimEngine::LocalDayMs(int64_t t_ms) const {
  const int64_t local = (config_.start_unix_s + config_.utc_offset_min * 60) * 1000 + t_ms;
  return ((local % 86'400'000) + 86'400'000) % 86'400'000;
}

v1::Event SimEngine::Stamped(int64_t t_ms, const std::string& source) const {
  v1::Event event;
  event.set_wall_time_ns(WallNs(t_ms));
  event.set_capture_time_ns(WallNs(t_ms));
  event.set_source(source);
  return event;
}

Status SimEngine::Record(v1::Event event) {
  auto seq = writer_->Append(std::move(event));
  if (!seq.ok()) return seq.status();
  ++summary_.events;
  return Status::Ok();
}

Status SimEngine::Annotate(int64_t t_ms, const std::string& text) {
  v1::Event event = Stamped(t_ms, "scenario");
  event.mutable_annotation()->set_text(text);
  return Record(std::move(event));
}

void SimEngine::Send(const firmware::CanFrame& frame) { bus_.push_back({frame, nullptr}); }

Status SimEngine::RecordMqtt(int64_t t_ms, const std::string& topic, const std::string& payload, bool from_bridge, bool retained) {
  v1::Event event = Stamped(t_ms, "mqtt:sim");
  bus::ToStoredMqtt({topic, payload, retained, 1}, from_bridge ? v1::DIRECTION_TX : v1::DIRECTION_RX, "alfaspark-bridge",
                    event.mutable_mqtt());
  return Record(std::move(event));
}

void SimEngine::SendBridgeTime(int64_t t_ms) {
  const auto unix_s = static_cast<uint32_t>(config_.start_unix_s + (t_ms + bridge_clock_shift_ms_) / 1000);
  Send(firmware::EncodeTime({kBridgeNode, unix_s, config_.utc_offset_min, 1}));
}

void SimEngine::SetGatewayPresent(bool present, int64_t t_ms) {
  next_gateway_heartbeat_ms_ = present ? t_ms : kNeverMs;
}

Status SimEngine::PowerOff(size_t pack, int64_t t_ms) {
  SimPack& p = *packs_[pack];
  p.powered = false;
  p.config.boot_ms = kNeverMs;
  p.bms_reply_at_ms = kNeverMs;
  p.next_ct_ms = kNeverMs;
  return Annotate(t_ms, fmt::format("power off: pack {}", p.config.name));
}

Status SimEngine::PowerOn(size_t pack, int64_t t_ms) {
  SimPack& p = *packs_[pack];
  if (p.powered) return Status::Ok();
  PACKTWIN_RETURN_IF_ERROR(Annotate(t_ms, fmt::format("power on: pack {}", p.config.name)));
  return Boot(p, t_ms);
}

Status SimEngine::Boot(SimPack& p, int64_t t_ms) {
  p.state = firmware::PackState{};
  firmware::Effects effects;
  firmware::PackBoot(&p.state, p.config.serial, p.flash, static_cast<uint64_t>(t_ms), &effects);
  p.powered = true;
  p.config.boot_ms = kNeverMs;
  p.next_ct_ms = t_ms;
  return CarryOut(p, effects, t_ms);
}

Status SimEngine::CarryOut(SimPack& p, const firmware::Effects& effects, int64_t t_ms) {
  for (uint8_t i = 0; i < effects.count; ++i) {
    const auto& e = effects.items[i];
    switch (e.kind) {
      case firmware::EffectKind::kCanSend: {
        std::vector<firmware::CanFrame> sent;
        model_->PackSends(*this, p.index, e.frame, t_ms, &sent);
        for (const auto& frame : sent) bus_.push_back({frame, &p});
        break;
      }
      case firmware::EffectKind::kModbusSend:
        p.bms_request.assign(reinterpret_cast<const char*>(e.modbus), firmware::kBmsRequestLen);
        p.bms_reply_at_ms = t_ms + kBmsLatencyMs;
        break;
      case firmware::EffectKind::kRelaySet: {
        v1::Event event = Stamped(t_ms, "simulator");
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
        p.flash = p.state.settings;  // what a power cycle will come back with
        break;
      case firmware::EffectKind::kAlarm:
        break;  // the ALARM frame itself is on the bus
    }
  }
  return Status::Ok();
}

int64_t SimEngine::NextTime(int64_t t_ms) const {
  int64_t next = std::min({next_bridge_heartbeat_ms_, next_bridge_time_ms_, next_gateway_heartbeat_ms_,
                           model_->NextWakeMs(t_ms)});
  for (const auto& p : packs_) {
    if (!p->powered) {
      if (p->config.boot_ms > t_ms) next = std::min(next, p->config.boot_ms);
      continue;
    }
    // A deadline an input moved into the past (a TIME jumping across 05:00)
    // runs in the next pass, as the pack's main loop would: 1 ms later.
    const auto duty_ms = std::max(static_cast<int64_t>(firmware::PackNextDeadlineMs(p->state)), t_ms + 1);
    next = std::min({next, duty_ms, p->bms_reply_at_ms, p->next_ct_ms});
  }
  return next;
}

Status SimEngine::Run(const ProgressFn& progress) {
  int64_t next_progress_ms = 0;
  // Bounded by the duration: every pass moves time forward to the next due thing.
  for (int64_t t = 0; t <= config_.duration_ms;) {
    PACKTWIN_RETURN_IF_ERROR(model_->OnInstant(*this, t));
    PACKTWIN_RETURN_IF_ERROR(Step(t));
    PACKTWIN_RETURN_IF_ERROR(DrainBus(t));
    if (progress && t >= next_progress_ms) {
      progress(static_cast<uint64_t>(t), static_cast<uint64_t>(config_.duration_ms));
      next_progress_ms = t + 3'600'000;
    }
    const int64_t next = NextTime(t);
    // Each instant's frames are handled before the next; time that stands still is a bug.
    if (next <= t) PACKTWIN_BUG("simulator: time did not advance");
    model_->AfterInstant(*this, t, next > config_.duration_ms ? kNeverMs : next);
    t = next;
  }
  return Status::Ok();
}

Status SimEngine::Step(int64_t t_ms) {
  if (t_ms >= next_bridge_heartbeat_ms_) {
    Send(firmware::EncodeHeartbeat({kBridgeNode, 3, 1, 0, 2, 0xB41D6E00}));
    next_bridge_heartbeat_ms_ += kHeartbeatEveryMs;
  }
  if (t_ms >= next_bridge_time_ms_) {
    SendBridgeTime(t_ms);
    next_bridge_time_ms_ += config_.bridge_time_every_ms;
  }
  if (t_ms >= next_gateway_heartbeat_ms_) {
    const auto type = static_cast<uint8_t>(firmware::DeviceType::kEnergyGateway);
    Send(firmware::EncodeHeartbeat({config_.gateway.node, type, 1, 0, 1, config_.gateway.serial_lo}));
    next_gateway_heartbeat_ms_ += kHeartbeatEveryMs;
  }
  for (size_t i = 0; i < packs_.size(); ++i) {
    SimPack& p = *packs_[i];
    if (!p.powered && t_ms >= p.config.boot_ms) PACKTWIN_RETURN_IF_ERROR(Boot(p, t_ms));
    if (!p.powered) continue;
    // One duty per call; bounded by the duties a single instant can hold.
    for (int duty = 0; duty < kMaxDutiesPerInstant; ++duty) {
      firmware::Effects effects;
      if (!firmware::PackRunDue(&p.state, static_cast<uint64_t>(t_ms), &effects)) break;
      PACKTWIN_RETURN_IF_ERROR(CarryOut(p, effects, t_ms));
    }
    if (t_ms >= p.bms_reply_at_ms) PACKTWIN_RETURN_IF_ERROR(AnswerBms(i, t_ms));
    if (t_ms >= p.next_ct_ms) PACKTWIN_RETURN_IF_ERROR(SampleCts(i, t_ms));
  }
  return Status::Ok();
}

Status SimEngine::AnswerBms(size_t i, int64_t t_ms) {
  SimPack& p = *packs_[i];
  p.bms_reply_at_ms = kNeverMs;
  const BmsAnswer answer = model_->AnswerBms(*this, i, p.bms_request, t_ms);
  v1::Event event = Stamped(t_ms, fmt::format("modbus-rtu:pack-{:02X}", p.state.settings.node_id));
  auto* m = event.mutable_modbus();
  m->set_port(fmt::format("pack-{:02X}", p.state.settings.node_id));
  m->set_transport(v1::TRANSPORT_RTU);
  m->set_request(p.bms_request);
  ++summary_.modbus_exchanges;
  if (!answer.replies) {
    // The reducer's own response timeout runs as a duty; the tap sees silence.
    m->set_status(v1::MODBUS_TIMEOUT);
    m->set_latency_us(static_cast<uint32_t>(kBmsTimeoutMs * 1000));
    return Record(std::move(event));
  }
  firmware::Effects effects;
  const std::string& seen = answer.pack_sees.empty() ? answer.bytes : answer.pack_sees;
  firmware::PackOnBmsBytes(&p.state, reinterpret_cast<const uint8_t*>(seen.data()), seen.size(),
                           static_cast<uint64_t>(t_ms), &effects);
  PACKTWIN_RETURN_IF_ERROR(CarryOut(p, effects, t_ms));
  m->set_reply(answer.bytes);
  m->set_status(TapStatus(answer.bytes));
  m->set_latency_us(static_cast<uint32_t>(kBmsLatencyMs * 1000));
  return Record(std::move(event));
}

Status SimEngine::SampleCts(size_t i, int64_t t_ms) {
  SimPack& p = *packs_[i];
  p.next_ct_ms = t_ms + kCtEveryMs;
  const firmware::CtSample sample = model_->SampleCts(*this, i, t_ms);
  firmware::Effects effects;
  firmware::PackOnCtSample(&p.state, sample, static_cast<uint64_t>(t_ms), &effects);
  PACKTWIN_RETURN_IF_ERROR(CarryOut(p, effects, t_ms));
  v1::Event event = Stamped(t_ms, "simulator");
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
Status SimEngine::DrainBus(int64_t t_ms) {
  for (int round = 0; round < kMaxBusRounds && !bus_.empty(); ++round) {
    std::vector<Pending> sending;
    sending.swap(bus_);
    std::stable_sort(sending.begin(), sending.end(),
                     [](const Pending& a, const Pending& b) { return a.frame.id < b.frame.id; });
    for (const auto& pending : sending) {
      auto event = bus::EventFromFirmwareFrame(pending.frame, WallNs(t_ms));
      event.mutable_can_frame()->set_direction(v1::DIRECTION_RX);
      ++summary_.frames;
      PACKTWIN_RETURN_IF_ERROR(Record(std::move(event)));
      model_->OnFrame(pending.frame, t_ms);
      for (auto& p : packs_) {
        if (p.get() == pending.sender || !p->powered) continue;
        firmware::CanFrame heard = pending.frame;
        if (!model_->PackHears(*this, p->index, &heard)) continue;
        firmware::Effects effects;
        firmware::PackOnCanFrame(&p->state, heard, static_cast<uint64_t>(t_ms), &effects);
        PACKTWIN_RETURN_IF_ERROR(CarryOut(*p, effects, t_ms));
      }
    }
  }
  if (!bus_.empty()) PACKTWIN_BUG("simulator: frames kept answering frames within one instant");
  return Status::Ok();
}

Result<SimSummary> RunToCapture(const SimSiteConfig& site, SimModel* model, const SimCaptureOptions& options,
                                const std::function<void(int64_t, int64_t)>& progress) {
  auto target = AtomicPath::Prepare(options.output, OutputRules{options.force, options.inputs, false});
  if (!target.ok()) return target.status();
  eventlog::WriterOptions writer_options;
  writer_options.site = options.site;
  writer_options.tool_version = options.tool_version;
  writer_options.durable = false;
  writer_options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(target->temp_path(), writer_options);
  if (!writer.ok()) return writer.status();
  const int64_t start_ns = site.start_unix_s * 1'000'000'000;
  v1::Event start;
  start.set_wall_time_ns(start_ns);
  start.set_capture_time_ns(start_ns);
  start.set_source("simulator");
  start.mutable_capture_start()->set_tool_version(options.tool_version);
  start.mutable_capture_start()->add_sources("simulator");
  start.mutable_capture_start()->set_configuration(options.configuration_json);
  PACKTWIN_RETURN_IF_ERROR((*writer)->Append(std::move(start)).status());
  SimEngine engine(site, writer->get(), model);
  PACKTWIN_RETURN_IF_ERROR(engine.Run(progress));
  SimSummary summary = engine.summary();
  v1::Event stop;
  stop.set_wall_time_ns(start_ns + site.duration_ms * 1'000'000);
  stop.set_capture_time_ns(stop.wall_time_ns());
  stop.set_source("simulator");
  stop.mutable_capture_stop()->set_reason("end of simulation");
  stop.mutable_capture_stop()->set_events(summary.events + 2);
  PACKTWIN_RETURN_IF_ERROR((*writer)->Append(std::move(stop)).status());
  summary.events += 2;
  PACKTWIN_RETURN_IF_ERROR((*writer)->SetMeta(eventlog::meta_key::kStartedNs, std::to_string(start_ns)));
  PACKTWIN_RETURN_IF_ERROR((*writer)->Close());
  PACKTWIN_RETURN_IF_ERROR(target->Commit());
  return summary;
}

}  // namespace packtwin::replay
