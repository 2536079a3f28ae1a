#include <fmt/format.h>

#include <map>

#include "export_sink.h"
#include "packtwin/eventlog/pcap_packets.h"
#include "packtwin/eventlog/pcapng_writer.h"

namespace packtwin::eventlog {
namespace {

// Each Modbus port and the MQTT link get their own client port, so Wireshark
// shows them as separate conversations.
constexpr uint16_t kFirstClientPort = 40000;

PacketDirection DirectionOf(v1::Direction direction) {
  switch (direction) {
    case v1::DIRECTION_RX:
      return PacketDirection::kInbound;
    case v1::DIRECTION_TX:
      return PacketDirection::kOutbound;
    default:
      return PacketDirection::kUnknown;
  }
}

std::string StatusNote(v1::ModbusStatus status) {
  switch (status) {
    case v1::MODBUS_TIMEOUT:
      return "packtwin: no reply (timeout)";
    case v1::MODBUS_CRC_ERROR:
      return "packtwin: reply with a bad CRC";
    case v1::MODBUS_MALFORMED:
      return "packtwin: malformed";
    case v1::MODBUS_UNPAIRED:
      return "packtwin: a reply no request asked for";
    case v1::MODBUS_PENDING_AT_STOP:
      return "packtwin: still waiting for its reply when recording stopped";
    case v1::MODBUS_LATE_REPLY:
      return "packtwin: answered after the recorder's reply window";
    default:
      return "";
  }
}

class PcapngSink : public Sink {
 public:
  PcapngSink(std::ostream& out, PcapngHeader header) : writer_(out), header_(std::move(header)) {}

  void Begin(int64_t /*first_wall_ns*/) override {
    writer_.Begin(fmt::format("site {}; recorded by packtwin {}", header_.site.empty() ? "(unnamed)" : header_.site,
                              header_.recorded_by.empty() ? "(unknown version)" : header_.recorded_by),
                  "packtwin " + header_.exported_by);
  }

  bool Write(const v1::Event& event) override {
    if (event.has_can_frame()) return WriteCan(event);
    if (event.has_modbus()) return WriteModbus(event);
    if (event.has_mqtt()) return WriteMqtt(event);
    return false;
  }

 private:
  bool WriteCan(const v1::Event& event) {
    const auto& frame = event.can_frame();
    const uint32_t index = writer_.Interface(
        "can:" + frame.channel(),
        {kLinktypeCanSocketcan, frame.channel(), fmt::format("CAN, packtwin source {}", event.source())});
    writer_.Packet(index, event.wall_time_ns(), SocketcanPacket(frame), DirectionOf(frame.direction()));
    return true;
  }

  // The reply is stamped when it ended; the request `latency_us` before it.
  bool WriteModbus(const v1::Event& event) {
    const auto& exchange = event.modbus();
    const bool tcp = exchange.transport() == v1::TRANSPORT_TCP;
    const uint32_t index = writer_.Interface(
        "modbus:" + exchange.port(),
        {kLinktypeIpv4, exchange.port(),
         tcp ? fmt::format("Modbus TCP via packtwin's proxy {} (as Modbus/UDP on port 502)", event.source())
             : fmt::format("Modbus RTU tap {} (UDP port {}: decode as mbrtu)", event.source(), kModbusRtuPort)});
    Endpoints ends{kClientAddress, kServerAddress, ClientPort("modbus:" + exchange.port()),
                   tcp ? kModbusTcpPort : kModbusRtuPort};
    const int64_t reply_ns = event.wall_time_ns();
    const int64_t request_ns = exchange.reply().empty() ? reply_ns : reply_ns - int64_t{exchange.latency_us()} * 1000;
    const std::string note = StatusNote(exchange.status());
    if (!exchange.request().empty()) {
      writer_.Packet(index, request_ns, Ipv4UdpPacket(ends, exchange.request(), ++ip_id_), PacketDirection::kUnknown,
                     exchange.reply().empty() ? note : "");
    }
    if (!exchange.reply().empty()) {
      std::swap(ends.src_address, ends.dst_address);
      std::swap(ends.src_port, ends.dst_port);
      writer_.Packet(index, reply_ns, Ipv4UdpPacket(ends, exchange.reply(), ++ip_id_), PacketDirection::kUnknown, note);
    }
    return true;
  }

  // RX: the broker delivered it to the recording client; TX: the client published it.
  bool WriteMqtt(const v1::Event& event) {
    const auto& message = event.mqtt();
    const uint32_t index =
        writer_.Interface("mqtt", {kLinktypeIpv4, "mqtt", fmt::format("MQTT as client {} saw it (TCP port {})",
                                                                     message.client(), kMqttPort)});
    Endpoints ends{kClientAddress, kServerAddress, ClientPort("mqtt"), kMqttPort};
    const bool from_broker = message.direction() == v1::DIRECTION_RX;
    if (from_broker) {
      std::swap(ends.src_address, ends.dst_address);
      std::swap(ends.src_port, ends.dst_port);
    }
    if (!connected_) {
      connected_ = true;
      const Endpoints up{kClientAddress, kServerAddress, ClientPort("mqtt"), kMqttPort};
      const Endpoints down{kServerAddress, kClientAddress, kMqttPort, ClientPort("mqtt")};
      const char* note = "packtwin: made up (the log holds no CONNECT), so Wireshark knows the MQTT version";
      Segment(index, event.wall_time_ns(), up, false, MqttConnectPacket(message.client()), PacketDirection::kOutbound, note);
      Segment(index, event.wall_time_ns(), down, true, MqttConnackPacket(), PacketDirection::kInbound, note);
    }
    Segment(index, event.wall_time_ns(), ends, from_broker, MqttPublishPacket(message, ++mqtt_packet_id_),
            DirectionOf(message.direction()), "");
    return true;
  }

  // One TCP segment of the MQTT link, each direction numbering its own bytes.
  void Segment(uint32_t index, int64_t wall_ns, const Endpoints& ends, bool from_broker, const std::string& packet,
               PacketDirection direction, std::string_view comment) {
    uint32_t& seq = from_broker ? broker_seq_ : client_seq_;
    const uint32_t ack = from_broker ? client_seq_ : broker_seq_;
    writer_.Packet(index, wall_ns, Ipv4TcpPacket(ends, seq, ack, packet, ++ip_id_), direction, comment);
    seq += static_cast<uint32_t>(packet.size());
  }

  uint16_t ClientPort(const std::string& key) {
    auto [it, added] = client_ports_.emplace(key, static_cast<uint16_t>(kFirstClientPort + client_ports_.size()));
    return it->second;
  }

  PcapngWriter writer_;
  PcapngHeader header_;
  std::map<std::string, uint16_t> client_ports_;
  uint16_t ip_id_ = 0;
  uint16_t mqtt_packet_id_ = 0;
  bool connected_ = false;
  uint32_t client_seq_ = 1;
  uint32_t broker_seq_ = 1;
};

}  // namespace

std::unique_ptr<Sink> MakePcapngSink(std::ostream& out, PcapngHeader header) {
  return std::make_unique<PcapngSink>(out, std::move(header));
}

}  // namespace packtwin::eventlog
