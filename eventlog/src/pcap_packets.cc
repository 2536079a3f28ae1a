#include "packtwin/eventlog/pcap_packets.h"

#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr uint32_t kEffFlag = 0x80000000;
constexpr uint32_t kRtrFlag = 0x40000000;
constexpr uint32_t kErrFlag = 0x20000000;
constexpr uint8_t kCanfdFdf = 0x04;
constexpr uint8_t kCanfdFlagBits = 0x03;  // BRS, ESI as recorded
constexpr size_t kCanHeaderBytes = 8;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kTcp = 6;
constexpr uint8_t kTcpPshAck = 0x18;
constexpr size_t kIpv4HeaderBytes = 20;
constexpr size_t kTcpHeaderBytes = 20;
constexpr size_t kUdpHeaderBytes = 8;

void Put16Be(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xFF));
}

void Put32Be(std::string& out, uint32_t value) {
  Put16Be(out, static_cast<uint16_t>(value >> 16));
  Put16Be(out, static_cast<uint16_t>(value & 0xFFFF));
}

// The Internet checksum (RFC 1071) of `bytes`, continuing from `sum`.
uint32_t SumWords(std::string_view bytes, uint32_t sum) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    sum += (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 8) | static_cast<uint8_t>(bytes[i + 1]);
  }
  if (bytes.size() % 2 != 0) sum += static_cast<uint32_t>(static_cast<uint8_t>(bytes.back())) << 8;
  return sum;
}

uint16_t Fold(uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xFFFF);
}

std::string Ipv4Header(const Endpoints& ends, uint8_t protocol, size_t payload_bytes, uint16_t ip_id) {
  std::string header;
  header.push_back(0x45);  // version 4, 5 words
  header.push_back(0);
  Put16Be(header, static_cast<uint16_t>(kIpv4HeaderBytes + payload_bytes));
  Put16Be(header, ip_id);
  Put16Be(header, 0x4000);  // don't fragment
  header.push_back(64);     // TTL
  header.push_back(static_cast<char>(protocol));
  Put16Be(header, 0);  // checksum, filled below
  Put32Be(header, ends.src_address);
  Put32Be(header, ends.dst_address);
  const uint16_t checksum = Fold(SumWords(header, 0));
  header[10] = static_cast<char>(checksum >> 8);
  header[11] = static_cast<char>(checksum & 0xFF);
  return header;
}

}  // namespace

std::string SocketcanPacket(const v1::CanFrame& frame) {
  uint32_t id = frame.id() & (frame.extended() || frame.error() ? 0x1FFFFFFF : 0x7FF);
  if (frame.extended() && !frame.error()) id |= kEffFlag;
  if (frame.rtr()) id |= kRtrFlag;
  if (frame.error()) id |= kErrFlag;
  // SocketCAN delivers error frames as classic frames, on FD channels too.
  const bool fd = frame.fd() && !frame.rtr() && !frame.error();
  const size_t room = fd ? kFdMaxLen : kClassicMaxLen;
  const std::string& data = frame.data();
  const size_t len = std::min(data.size(), room);
  // A remote frame carries no data but asks for its DLC's worth.
  const uint32_t wire_len = frame.rtr() ? ClassicDlcToLen(std::min(frame.dlc(), kMaxDlc)) : static_cast<uint32_t>(len);
  std::string packet;
  Put32Be(packet, id);
  packet.push_back(static_cast<char>(wire_len));
  packet.push_back(static_cast<char>(fd ? (kCanfdFdf | (frame.fd_flags() & kCanfdFlagBits)) : 0));
  packet.push_back(0);
  // len8_dlc: a classic frame's raw DLC 9..15 (it carries 8 bytes).
  packet.push_back(static_cast<char>(!fd && len == kClassicMaxLen && frame.dlc() > 8 && frame.dlc() <= kMaxDlc ? frame.dlc() : 0));
  packet.append(data.data(), len);
  packet.resize(kCanHeaderBytes + room, '\0');
  return packet;
}

std::string Ipv4UdpPacket(const Endpoints& ends, std::string_view payload, uint16_t ip_id) {
  std::string packet = Ipv4Header(ends, kUdp, kUdpHeaderBytes + payload.size(), ip_id);
  Put16Be(packet, ends.src_port);
  Put16Be(packet, ends.dst_port);
  Put16Be(packet, static_cast<uint16_t>(kUdpHeaderBytes + payload.size()));
  Put16Be(packet, 0);  // no checksum (allowed over IPv4)
  packet.append(payload);
  return packet;
}

std::string Ipv4TcpPacket(const Endpoints& ends, uint32_t seq, uint32_t ack, std::string_view payload, uint16_t ip_id) {
  std::string segment;
  Put16Be(segment, ends.src_port);
  Put16Be(segment, ends.dst_port);
  Put32Be(segment, seq);
  Put32Be(segment, ack);
  segment.push_back(static_cast<char>((kTcpHeaderBytes / 4) << 4));
  segment.push_back(static_cast<char>(kTcpPshAck));
  Put16Be(segment, 0xFFFF);  // window
  Put16Be(segment, 0);       // checksum, filled below
  Put16Be(segment, 0);       // urgent pointer
  segment.append(payload);
  std::string pseudo;
  Put32Be(pseudo, ends.src_address);
  Put32Be(pseudo, ends.dst_address);
  Put16Be(pseudo, kTcp);
  Put16Be(pseudo, static_cast<uint16_t>(segment.size()));
  const uint16_t checksum = Fold(SumWords(segment, SumWords(pseudo, 0)));
  segment[16] = static_cast<char>(checksum >> 8);
  segment[17] = static_cast<char>(checksum & 0xFF);
  return Ipv4Header(ends, kTcp, segment.size(), ip_id) + segment;
}

namespace {

// Fixed header byte, then the remaining length: 7 bits a byte, high bit "more follows".
std::string MqttPacket(uint8_t first_byte, const std::string& rest) {
  std::string packet(1, static_cast<char>(first_byte));
  size_t remaining = rest.size();
  do {
    uint8_t digit = remaining % 128;
    remaining /= 128;
    if (remaining > 0) digit |= 0x80;
    packet.push_back(static_cast<char>(digit));
  } while (remaining > 0);
  return packet + rest;
}

void PutMqttString(std::string& out, std::string_view text) {
  text = text.substr(0, 0xFFFF);
  Put16Be(out, static_cast<uint16_t>(text.size()));
  out.append(text);
}

}  // namespace

std::string MqttConnectPacket(std::string_view client_id) {
  std::string rest;
  PutMqttString(rest, "MQTT");
  rest.push_back(4);     // protocol level: 3.1.1
  rest.push_back(0);     // flags: clean session off, no will, no credentials
  Put16Be(rest, 60);     // keep-alive, seconds
  PutMqttString(rest, client_id);
  return MqttPacket(0x10, rest);
}

std::string MqttConnackPacket() { return MqttPacket(0x20, std::string("\x00\x00", 2)); }

std::string MqttPublishPacket(const v1::MqttMessage& message, uint16_t packet_id) {
  const uint32_t qos = std::min<uint32_t>(message.qos(), 2);
  std::string rest;
  PutMqttString(rest, message.topic());
  if (qos > 0) Put16Be(rest, packet_id == 0 ? 1 : packet_id);
  rest.append(message.payload());
  return MqttPacket(static_cast<uint8_t>(0x30 | (qos << 1) | (message.retained() ? 1 : 0)), rest);
}

}  // namespace packtwin::eventlog
