// The packets a pcapng export carries, in the forms Wireshark's dissectors
// read: CAN frames as LINKTYPE_CAN_SOCKETCAN, Modbus and MQTT inside made-up
// IPv4 packets between two loopback addresses (the wire had no IP; the ports
// choose the dissector).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

inline constexpr uint16_t kModbusTcpPort = 502;    // Wireshark: Modbus/UDP by default
inline constexpr uint16_t kModbusRtuPort = 5020;   // Wireshark: Modbus RTU after "Decode As" (-d udp.port==5020,mbrtu)
inline constexpr uint16_t kMqttPort = 1883;        // Wireshark: MQTT by default
inline constexpr uint32_t kClientAddress = 0x7F000001;  // 127.0.0.1: the master, the MQTT client
inline constexpr uint32_t kServerAddress = 0x7F000002;  // 127.0.0.2: the slave, the broker

// struct can_frame (16 bytes) or canfd_frame (72 bytes, FDF set) with the id
// and its EFF/RTR/ERR flags in network byte order.
std::string SocketcanPacket(const v1::CanFrame& frame);

struct Endpoints {
  uint32_t src_address = kClientAddress;
  uint32_t dst_address = kServerAddress;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
};

std::string Ipv4UdpPacket(const Endpoints& ends, std::string_view payload, uint16_t ip_id);
// One TCP segment (PSH, ACK) at sequence number `seq`, acknowledging `ack`.
std::string Ipv4TcpPacket(const Endpoints& ends, uint32_t seq, uint32_t ack, std::string_view payload, uint16_t ip_id);

// MQTT 3.1.1 CONNECT (clean session off, keep-alive 60 s) and a CONNACK that
// accepts it: the log holds neither, but Wireshark needs them to know the version.
std::string MqttConnectPacket(std::string_view client_id);
std::string MqttConnackPacket();
// An MQTT 3.1.1 PUBLISH packet; `packet_id` is used only for QoS 1 and 2.
std::string MqttPublishPacket(const v1::MqttMessage& message, uint16_t packet_id);

}  // namespace packtwin::eventlog
