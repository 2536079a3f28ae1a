#include "packtwin/eventlog/interface_names.h"

#include <fmt/format.h>

#include <cctype>

namespace packtwin::eventlog {
namespace {

constexpr size_t kMaxInterfaceBytes = 15;  // IFNAMSIZ - 1

bool Taken(const std::map<std::string, std::string>& names, const std::string& name) {
  for (const auto& [from, to] : names) {
    if (to == name) return true;
  }
  return false;
}

// The letters the channel starts with ("slcan" of "slcan:/dev/ttyACM0"), else "can".
std::string Stem(const std::string& channel) {
  std::string stem;
  for (char c : channel) {
    if (!std::isalpha(static_cast<unsigned char>(c)) || stem.size() == 10) break;
    stem.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return stem.empty() ? "can" : stem;
}

}  // namespace

bool IsInterfaceName(const std::string& name) {
  if (name.empty() || name.size() > kMaxInterfaceBytes || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) || !std::isprint(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::variant<InterfaceNames, std::string> InterfaceNames::Parse(const std::vector<std::string>& specs) {
  InterfaceNames names;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string to = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (!IsInterfaceName(to)) {
      return fmt::format("'{}' is not an interface name (1 to 15 characters, no '/', ':' or spaces)", to);
    }
    if (eq == std::string::npos) {
      names.everything_ = to;
    } else {
      names.chosen_[spec.substr(0, eq)] = to;
    }
  }
  return names;
}

const std::string& InterfaceNames::For(const std::string& channel) {
  if (auto found = chosen_.find(channel); found != chosen_.end()) return found->second;
  if (!everything_.empty()) return everything_;
  if (auto found = derived_.find(channel); found != derived_.end()) return found->second;
  std::string name = channel;
  if (!IsInterfaceName(channel) || Taken(chosen_, channel) || Taken(derived_, channel)) {
    const std::string stem = Stem(channel);
    for (unsigned n = 0; n < 1000; ++n) {
      name = fmt::format("{}{}", stem, n);
      if (!Taken(chosen_, name) && !Taken(derived_, name)) break;
    }
  }
  return derived_.emplace(channel, name).first->second;
}

}  // namespace packtwin::eventlog
