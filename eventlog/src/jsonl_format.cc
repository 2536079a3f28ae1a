#include "packtwin/eventlog/jsonl_format.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "packtwin/eventlog/event_kind.h"
#include "packtwin/base/hex.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/base/utf8.h"

namespace packtwin::eventlog {
namespace {

using Json = nlohmann::ordered_json;

void PutCanFrame(const v1::CanFrame& frame, Json& out) {
  out["channel"] = frame.channel();
  out["id"] = frame.extended() || frame.error() ? fmt::format("0x{:08X}", frame.id()) : fmt::format("0x{:03X}", frame.id());
  out["extended"] = frame.extended();
  out["rtr"] = frame.rtr();
  out["error"] = frame.error();
  out["fd"] = frame.fd();
  if (frame.fd()) {
    out["brs"] = (frame.fd_flags() & 1u) != 0;
    out["esi"] = (frame.fd_flags() & 2u) != 0;
  }
  out["dlc"] = frame.dlc();
  out["data"] = HexBytes(frame.data());
  if (frame.direction() != v1::DIRECTION_UNSPECIFIED) out["dir"] = frame.direction() == v1::DIRECTION_RX ? "rx" : "tx";
}

void PutBody(const v1::Event& event, const FrameDescriber& describe, Json& out) {
  switch (event.kind_case()) {
    case v1::Event::kCanFrame:
      PutCanFrame(event.can_frame(), out);
      if (describe) describe(event, out);
      break;
    case v1::Event::kModbus: {
      const auto& m = event.modbus();
      out["port"] = m.port();
      out["transport"] = v1::Transport_Name(m.transport());
      out["request"] = HexBytes(m.request());
      out["reply"] = HexBytes(m.reply());
      out["status"] = v1::ModbusStatus_Name(m.status());
      out["latency_us"] = m.latency_us();
      break;
    }
    case v1::Event::kRelayChange: {
      const auto& r = event.relay_change();
      out["node"] = r.node();
      out["relay"] = r.relay();
      out["closed"] = r.closed();
      out["cause"] = v1::RelayCause_Name(r.cause());
      out["origin"] = v1::RelayOrigin_Name(r.origin());
      out["evidence_seq"] = r.evidence_seq();
      break;
    }
    case v1::Event::kSensorSample: {
      const auto& s = event.sensor_sample();
      out["node"] = s.node();
      out["grid_ma"] = s.grid_ma();
      out["home_ma"] = s.home_ma();
      out["pool_ma"] = s.pool_ma();
      out["heater_ma"] = s.heater_ma();
      break;
    }
    case v1::Event::kAnnotation:
      out["text"] = event.annotation().text();
      break;
    case v1::Event::kCaptureStart: {
      const auto& c = event.capture_start();
      out["tool_version"] = c.tool_version();
      out["sources"] = std::vector<std::string>(c.sources().begin(), c.sources().end());
      out["configuration"] = c.configuration();
      break;
    }
    case v1::Event::kCaptureStop:
      out["reason"] = event.capture_stop().reason();
      out["events"] = event.capture_stop().events();
      break;
    case v1::Event::kGap:
      out["lost_on"] = event.gap().source();
      out["frames_lost"] = event.gap().frames_lost();
      out["total_lost"] = event.gap().total_lost();
      out["reason"] = event.gap().reason();
      break;
    case v1::Event::kMqtt: {
      const auto& m = event.mqtt();
      out["topic"] = m.topic();
      // Text when it is UTF-8 (JSON usually is), else the bytes in hex.
      if (FirstBadUtf8(m.payload()) == std::string_view::npos) {
        out["payload"] = m.payload();
      } else {
        out["payload_hex"] = HexBytes(m.payload());
      }
      out["qos"] = m.qos();
      out["retained"] = m.retained();
      if (m.direction() != v1::DIRECTION_UNSPECIFIED) out["dir"] = m.direction() == v1::DIRECTION_RX ? "in" : "out";
      out["client"] = m.client();
      break;
    }
    case v1::Event::KIND_NOT_SET:
      break;
  }
}

}  // namespace

std::string EventToJsonLine(const v1::Event& event, const FrameDescriber& describe) {
  Json out;
  out["seq"] = event.seq();
  out["time"] = FormatUtc(event.wall_time_ns());
  out["wall_ns"] = event.wall_time_ns();
  out["capture_ns"] = event.capture_time_ns();
  out["source"] = event.source();
  out["kind"] = std::string(EventKindName(event.kind_case()).value_or("unknown"));
  PutBody(event, describe, out);
  // Invalid UTF-8 in untrusted text fields is replaced, never thrown.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace packtwin::eventlog
