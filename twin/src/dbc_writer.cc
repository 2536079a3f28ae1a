#include "packtwin/twin/dbc_writer.h"

#include <fmt/format.h>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_signals.h"

namespace packtwin::twin {
namespace {

using firmware::CanFunction;
using firmware::FrameSpec;
using firmware::SignalSpec;

// GenMsgCycleTime of the periodic frames (can-protocol.md).
uint32_t CycleTimeMs(CanFunction function) {
  switch (function) {
    case CanFunction::kTelBatt:
    case CanFunction::kTelPower:
    case CanFunction::kTelLoads:
    case CanFunction::kFleet:
      return 2000;
    case CanFunction::kHeartbeat:
      return 10000;
    default:
      return 0;
  }
}

// Shortest text that reads back as the same double: 0.01, 655.35, 0.
std::string Number(const SignalSpec& signal, int64_t raw) {
  if (signal.scale_den == 1) return std::to_string(raw * signal.scale_num);
  return fmt::format("{}", static_cast<double>(raw * signal.scale_num) / signal.scale_den);
}

std::string Factor(const SignalSpec& signal) {
  if (signal.scale_den == 1) return std::to_string(signal.scale_num);
  return fmt::format("{}", static_cast<double>(signal.scale_num) / signal.scale_den);
}

std::string SignalLine(const SignalSpec& signal) {
  std::string mux;
  if (signal.multiplexor) mux = " M";
  if (signal.mux_value != firmware::kAlways) mux = fmt::format(" m{}", signal.mux_value);
  return fmt::format(" SG_ {}{} : {}|{}@1{} ({},0) [{}|{}] \"{}\" Vector__XXX\n", signal.name, mux, signal.start_bit,
                     signal.bits, signal.is_signed ? '-' : '+', Factor(signal), Number(signal, signal.min_raw),
                     Number(signal, signal.max_raw), signal.unit);
}

std::string MessageName(const FrameSpec& frame, uint8_t node) {
  if (node == firmware::kBroadcastNodeId) return fmt::format("{}_ALL", frame.name);
  return fmt::format("{}_{:02X}", frame.name, node);
}

struct Message {
  const FrameSpec* frame;
  uint8_t node;
  uint32_t id;
};

std::vector<Message> Messages(const DbcOptions& options) {
  std::vector<uint8_t> nodes = options.nodes;
  if (nodes.empty()) {
    for (uint8_t node = firmware::kFirstNodeId; node <= firmware::kLastNodeId; ++node) nodes.push_back(node);
    nodes.push_back(firmware::kBroadcastNodeId);
  }
  std::vector<Message> messages;
  for (size_t i = 0; i < firmware::CanV1FrameCount(); ++i) {
    const FrameSpec& frame = firmware::CanV1Frames()[i];
    for (uint8_t node : nodes) {
      // Only a COMMAND goes to all nodes at once.
      if (node == firmware::kBroadcastNodeId && frame.function != CanFunction::kCommand) continue;
      messages.push_back({&frame, node, firmware::CanV1IdOf(frame.function, node)});
    }
  }
  return messages;
}

}  // namespace

std::string WriteDbc(const DbcOptions& options) {
  std::string out = fmt::format("VERSION \"{}\"\n\n", options.version);
  out += "NS_ :\n\tCM_\n\tBA_DEF_\n\tBA_\n\tVAL_\n\tBA_DEF_DEF_\n\nBS_:\n\nBU_: bridge node pack master\n\n";
  const auto messages = Messages(options);
  for (const Message& m : messages) {
    out += fmt::format("BO_ {} {}: {} {}\n", m.id, MessageName(*m.frame, m.node), m.frame->max_len, m.frame->sender);
    for (uint8_t i = 0; i < m.frame->signal_count; ++i) out += SignalLine(m.frame->signals[i]);
    out += "\n";
  }
  out += "CM_ \"Alfaspark CAN protocol v1 (can-protocol.md), written by packtwin dbc from the firmware's signal table. "
         "id = function << 7 | node; each frame is listed once per node.\";\n";
  for (const Message& m : messages) {
    out += fmt::format("CM_ BO_ {} \"{} of node 0x{:02X}, {} to {} bytes\";\n", m.id, m.frame->name, m.node,
                       m.frame->min_len, m.frame->max_len);
  }
  out += "BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 65535;\n";
  out += "BA_DEF_DEF_ \"GenMsgCycleTime\" 0;\n";
  for (const Message& m : messages) {
    if (const uint32_t cycle_ms = CycleTimeMs(m.frame->function); cycle_ms != 0) {
      out += fmt::format("BA_ \"GenMsgCycleTime\" BO_ {} {};\n", m.id, cycle_ms);
    }
  }
  for (const Message& m : messages) {
    for (uint8_t i = 0; i < m.frame->signal_count; ++i) {
      const SignalSpec& signal = m.frame->signals[i];
      if (signal.value_count == 0) continue;
      out += fmt::format("VAL_ {} {}", m.id, signal.name);
      for (uint8_t v = signal.value_count; v > 0; --v) {
        out += fmt::format(" {} \"{}\"", signal.values[v - 1].value, signal.values[v - 1].name);
      }
      out += " ;\n";
    }
  }
  return out;
}

}  // namespace packtwin::twin
