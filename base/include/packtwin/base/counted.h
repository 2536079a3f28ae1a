// "1 finding", "2 findings": a count with its noun in the right number.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace packtwin {

// `plural` defaults to the singular with an "s".
inline std::string Counted(uint64_t count, std::string_view singular, std::string_view plural = {}) {
  if (count == 1) return fmt::format("1 {}", singular);
  return plural.empty() ? fmt::format("{} {}s", count, singular) : fmt::format("{} {}", count, plural);
}

}  // namespace packtwin
