#include "packtwin/eventlog/pcapng_writer.h"

#include <string>

namespace packtwin::eventlog {
namespace {

constexpr uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescriptionBlock = 1;
constexpr uint32_t kEnhancedPacketBlock = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kShbUserAppl = 4;
constexpr uint16_t kIfName = 2;
constexpr uint16_t kIfDescription = 3;
constexpr uint16_t kIfTsresol = 9;
constexpr uint16_t kEpbFlags = 2;
constexpr uint8_t kNanoseconds = 9;  // if_tsresol: 10^-9 s
constexpr uint32_t kSnapLength = 262144;
// An option's value is at most 65535 bytes; longer text is cut, never wrapped.
constexpr size_t kMaxOptionBytes = 65532;

void Put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>(value >> 8));
}

void Put32(std::string& out, uint32_t value) {
  Put16(out, static_cast<uint16_t>(value & 0xFFFF));
  Put16(out, static_cast<uint16_t>(value >> 16));
}

void Pad4(std::string& out) {
  while (out.size() % 4 != 0) out.push_back('\0');
}

void Option(std::string& out, uint16_t code, std::string_view value) {
  if (value.empty()) return;
  value = value.substr(0, kMaxOptionBytes);
  Put16(out, code);
  Put16(out, static_cast<uint16_t>(value.size()));
  out.append(value);
  Pad4(out);
}

void EndOptions(std::string& out) {
  Put16(out, kOptEnd);
  Put16(out, 0);
}

// type, total length, body, total length again.
void WriteBlock(std::ostream& out, uint32_t type, const std::string& body) {
  std::string block;
  const auto total = static_cast<uint32_t>(12 + body.size());
  Put32(block, type);
  Put32(block, total);
  block += body;
  Put32(block, total);
  out.write(block.data(), static_cast<std::streamsize>(block.size()));
}

}  // namespace

void PcapngWriter::Begin(std::string_view comment, std::string_view application) {
  std::string body;
  Put32(body, kByteOrderMagic);
  Put16(body, 1);  // major
  Put16(body, 0);  // minor
  Put32(body, 0xFFFFFFFF);  // section length: not given
  Put32(body, 0xFFFFFFFF);
  Option(body, kOptComment, comment);
  Option(body, kShbUserAppl, application);
  EndOptions(body);
  WriteBlock(out_, kSectionHeaderBlock, body);
}

uint32_t PcapngWriter::Interface(const std::string& key, const PcapngInterface& description) {
  auto found = interfaces_.find(key);
  if (found != interfaces_.end()) return found->second;
  std::string body;
  Put16(body, description.linktype);
  Put16(body, 0);
  Put32(body, kSnapLength);
  Option(body, kIfName, description.name);
  Option(body, kIfDescription, description.description);
  Option(body, kIfTsresol, std::string_view(reinterpret_cast<const char*>(&kNanoseconds), 1));
  EndOptions(body);
  WriteBlock(out_, kInterfaceDescriptionBlock, body);
  const auto index = static_cast<uint32_t>(interfaces_.size());
  interfaces_.emplace(key, index);
  return index;
}

void PcapngWriter::Packet(uint32_t interface_index, int64_t wall_ns, std::string_view bytes,
                          PacketDirection direction, std::string_view comment) {
  // Times before 1970 cannot be written (the field is unsigned): they become 0.
  const uint64_t ns = wall_ns < 0 ? 0 : static_cast<uint64_t>(wall_ns);
  std::string body;
  Put32(body, interface_index);
  Put32(body, static_cast<uint32_t>(ns >> 32));
  Put32(body, static_cast<uint32_t>(ns & 0xFFFFFFFF));
  Put32(body, static_cast<uint32_t>(bytes.size()));
  Put32(body, static_cast<uint32_t>(bytes.size()));
  body.append(bytes);
  Pad4(body);
  if (direction != PacketDirection::kUnknown) {
    std::string flags;
    Put32(flags, static_cast<uint32_t>(direction));
    Option(body, kEpbFlags, flags);
  }
  Option(body, kOptComment, comment);
  EndOptions(body);
  WriteBlock(out_, kEnhancedPacketBlock, body);
}

}  // namespace packtwin::eventlog
