#include "packtwin/eventlog/id_ranges.h"

namespace packtwin::eventlog {
namespace {

constexpr uint32_t kMaxCanId = 0x1FFFFFFF;
constexpr size_t kMaxRanges = 1024;

// "0x1A0" (hex) or "416" (decimal).
std::optional<uint32_t> ParseId(TextCursor& cur) {
  uint64_t value = 0;
  size_t digits = 0;
  if (cur.Consume("0x") || cur.Consume("0X")) {
    while (auto digit = cur.HexDigit()) {
      value = (value << 4) | *digit;
      if (++digits > 8) return std::nullopt;
    }
    if (digits == 0) return std::nullopt;
  } else {
    auto decimal = cur.Decimal(10, &digits);
    if (!decimal) return std::nullopt;
    value = *decimal;
  }
  if (value > kMaxCanId) return std::nullopt;
  return static_cast<uint32_t>(value);
}

}  // namespace

std::variant<IdRanges, ParseError> IdRanges::Parse(std::string_view text) {
  IdRanges out;
  TextCursor cur(text);
  while (true) {
    if (out.ranges_.size() >= kMaxRanges) return cur.Error("at most 1024 ranges");
    const size_t first_pos = cur.position();
    auto first = ParseId(cur);
    if (!first) return cur.ErrorAt(first_pos, "a CAN id such as 0x180 or 384 (at most 0x1FFFFFFF)");
    IdRange range{*first, *first};
    if (cur.Consume('-')) {
      const size_t last_pos = cur.position();
      auto last = ParseId(cur);
      if (!last) return cur.ErrorAt(last_pos, "the range's last CAN id");
      if (*last < *first) return cur.ErrorAt(last_pos, "a last id not below the first");
      range.last = *last;
    }
    out.ranges_.push_back(range);
    if (cur.AtEnd()) return out;
    if (!cur.Consume(',')) return cur.Error("',' or '-' or the end");
  }
}

bool IdRanges::Contains(uint32_t id) const {
  for (const auto& range : ranges_) {
    if (id >= range.first && id <= range.last) return true;
  }
  return false;
}

}  // namespace packtwin::eventlog
