#include "packtwin/bus/slcan_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "packtwin/base/text_cursor.h"

namespace packtwin::bus {
namespace {

constexpr uint8_t kCr = '\r';
constexpr uint8_t kBel = 0x07;

// `digits` hex digits at `pos` (base/text_cursor.h's HexValue per digit).
std::optional<uint32_t> Hex(const std::string& text, size_t pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  uint32_t value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    const auto digit = HexValue(text[i]);
    if (!digit) return std::nullopt;
    value = (value << 4) | *digit;
  }
  return value;
}

std::string Shown(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 40)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte >= 0x7F) ? fmt::format("\\x{:02X}", byte) : std::string(1, c);
  }
  return out;
}

SlcanItem Malformed(const std::string& line, std::string reason) { return SlcanMalformed{Shown(line), std::move(reason)}; }

SlcanItem ParseFrame(const std::string& line) {
  const char kind = line[0];
  const bool extended = kind == 'T' || kind == 'R';
  const bool remote = kind == 'r' || kind == 'R';
  const size_t id_digits = extended ? 8 : 3;
  auto id = Hex(line, 1, id_digits);
  if (!id) return Malformed(line, fmt::format("expected {} hex digits of CAN id", id_digits));
  if (!extended && *id > 0x7FF) return Malformed(line, "a standard id above 0x7FF");
  if (extended && *id > 0x1FFFFFFF) return Malformed(line, "an extended id above 0x1FFFFFFF");
  const size_t dlc_pos = 1 + id_digits;
  auto dlc = Hex(line, dlc_pos, 1);
  if (!dlc || *dlc > 8) return Malformed(line, "expected a length digit 0..8");
  SlcanFrame out;
  out.frame.set_id(*id);
  out.frame.set_extended(extended);
  out.frame.set_rtr(remote);
  out.frame.set_dlc(*dlc);
  size_t pos = dlc_pos + 1;
  if (!remote) {
    std::string data;
    for (uint32_t i = 0; i < *dlc; ++i, pos += 2) {
      auto byte = Hex(line, pos, 2);
      if (!byte) return Malformed(line, fmt::format("expected {} data bytes as hex", *dlc));
      data.push_back(static_cast<char>(*byte));
    }
    out.frame.set_data(std::move(data));
  }
  const size_t rest = line.size() - pos;
  if (rest == 4) {
    auto stamp = Hex(line, pos, 4);
    if (!stamp || *stamp > 59999) return Malformed(line, "a timestamp above 59999 ms");
    out.has_timestamp = true;
    out.timestamp_ms = static_cast<uint16_t>(*stamp);
  } else if (rest != 0) {
    return Malformed(line, "extra characters after the data (not a 4-digit timestamp)");
  }
  return out;
}

}  // namespace

SlcanItem ParseSlcanLine(const std::string& line) {
  if (line.empty()) return SlcanAck{};
  switch (line[0]) {
    case 't': case 'T': case 'r': case 'R':
      return ParseFrame(line);
    case 'z': case 'Z':  // "frame sent" confirmations of transmit commands
    case 'V': case 'v': case 'N': case 'F':
      return SlcanOther{line};
    default:
      return Malformed(line, "not an slcan frame or reply");
  }
}

std::optional<SlcanItem> SlcanParser::Push(uint8_t byte) {
  if (byte == kBel) {
    line_.clear();
    overflowed_ = false;
    return SlcanError{};
  }
  if (byte == kCr) {
    std::optional<SlcanItem> item;
    if (overflowed_) {
      item = Malformed(line_, fmt::format("a line longer than {} bytes", kMaxLineBytes));
    } else {
      item = ParseSlcanLine(line_);
    }
    line_.clear();
    overflowed_ = false;
    return item;
  }
  if (byte == '\n') return std::nullopt;  // some adapters send CR LF
  if (line_.size() >= kMaxLineBytes) {
    overflowed_ = true;  // keep the head for the report, drop the rest
    return std::nullopt;
  }
  line_.push_back(static_cast<char>(byte));
  return std::nullopt;
}

std::string SlcanBitrateCommand(uint32_t bitrate_bps) {
  constexpr std::array<uint32_t, 9> kRates = {10'000, 20'000, 50'000, 100'000, 125'000,
                                             250'000, 500'000, 800'000, 1'000'000};
  for (size_t i = 0; i < kRates.size(); ++i) {
    if (kRates[i] == bitrate_bps) return fmt::format("S{}", i);
  }
  return "";
}

std::string SlcanTransmitLine(const v1::CanFrame& frame) {
  if (frame.fd() || frame.error()) return "";
  std::string line(1, frame.extended() ? (frame.rtr() ? 'R' : 'T') : (frame.rtr() ? 'r' : 't'));
  line += frame.extended() ? fmt::format("{:08X}", frame.id()) : fmt::format("{:03X}", frame.id());
  const size_t length = frame.rtr() ? std::min<uint32_t>(frame.dlc(), 8) : std::min<size_t>(frame.data().size(), 8);
  line += fmt::format("{:X}", length);
  if (!frame.rtr()) {
    for (size_t i = 0; i < length; ++i) line += fmt::format("{:02X}", static_cast<unsigned char>(frame.data()[i]));
  }
  return line;
}

}  // namespace packtwin::bus
