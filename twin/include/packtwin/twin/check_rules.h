// The rules `packtwin check` enforces, in one table: each with its name (what
// a finding cites), its family, the spec section it enforces (in the copy of
// the spec under docs/spec/) and what it catches. `check --list-rules`
// prints it; a finding can only name a rule listed here.
#pragma once

#include <span>
#include <string_view>

namespace packtwin::twin {

struct CheckRule {
  std::string_view name;         // "grid-closed-in-lockout"
  std::string_view family;       // "lockout": the rules that watch one behaviour
  std::string_view section;      // "pack-behaviour.md: Grid import limit"
  std::string_view description;  // one line; "(defect N)" names the known field defect it catches
};

std::span<const CheckRule> CheckRules();

// The rule of that name; nullptr when there is none.
const CheckRule* FindCheckRule(std::string_view name);

}  // namespace packtwin::twin
