// CAN id filters as users type them: "0x180-0x1FF,0x700-0x77F,0x123".
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "packtwin/base/text_cursor.h"

namespace packtwin::eventlog {

struct IdRange {
  uint32_t first = 0;
  uint32_t last = 0;  // inclusive
};

class IdRanges {
 public:
  static std::variant<IdRanges, ParseError> Parse(std::string_view text);
  bool Contains(uint32_t id) const;
  const std::vector<IdRange>& ranges() const { return ranges_; }

 private:
  std::vector<IdRange> ranges_;
};

}  // namespace packtwin::eventlog
