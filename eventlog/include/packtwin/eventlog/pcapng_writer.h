// pcapng (the IETF draft "PCAP Now Generic", what Wireshark writes): one
// section, interfaces described as they first carry a packet, nanosecond
// timestamps, written little-endian (the byte-order magic says so).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace packtwin::eventlog {

inline constexpr uint16_t kLinktypeIpv4 = 228;           // raw IPv4 packets
inline constexpr uint16_t kLinktypeCanSocketcan = 227;   // struct can(fd)_frame, id in network byte order

enum class PacketDirection : uint32_t { kUnknown = 0, kInbound = 1, kOutbound = 2 };  // epb_flags bits 0-1

struct PcapngInterface {
  uint16_t linktype = kLinktypeIpv4;
  std::string name;         // if_name, e.g. "can0"
  std::string description;  // if_description: where the packets came from
};

class PcapngWriter {
 public:
  explicit PcapngWriter(std::ostream& out) : out_(out) {}
  // The section header; `comment` names the site and capture, `application` the writer.
  void Begin(std::string_view comment, std::string_view application);
  // The interface's index, describing it on first use (keyed by `key`).
  uint32_t Interface(const std::string& key, const PcapngInterface& description);
  void Packet(uint32_t interface_index, int64_t wall_ns, std::string_view bytes, PacketDirection direction,
              std::string_view comment = {});

 private:
  std::ostream& out_;
  std::map<std::string, uint32_t> interfaces_;
};

}  // namespace packtwin::eventlog
