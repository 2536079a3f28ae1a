// Bytes as upper-case hex pairs ("DEADBEEF", or "DE AD BE EF" with a separator),
// as candump, the JSON lines and the live views show data.
#pragma once

#include <string>
#include <string_view>

namespace packtwin {

inline std::string HexBytes(std::string_view bytes, std::string_view separator = {}) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * (2 + separator.size()));
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += separator;
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
  }
  return out;
}

}  // namespace packtwin
