// The CAN interface names an export writes. A recording names its channel
// after its source ("slcan:/dev/ttyACM0"), which canplayer and log2asc cannot
// take as an interface; exports write a SocketCAN-style name instead: the
// user's (--iface-name), else the channel's own when it is a valid one, else
// one derived from it (slcan0, slcan1, can0, ...).
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace packtwin::eventlog {

// Linux's rule for a network interface name: 1 to 15 bytes, no '/', ':' or
// white space, not "." or "..".
bool IsInterfaceName(const std::string& name);

class InterfaceNames {
 public:
  // Each spec is NEW (every channel of the export becomes NEW) or OLD=NEW.
  // An error message when a name is not a valid interface name.
  static std::variant<InterfaceNames, std::string> Parse(const std::vector<std::string>& specs);

  const std::string& For(const std::string& channel);

 private:
  std::string everything_;
  std::map<std::string, std::string> chosen_;
  std::map<std::string, std::string> derived_;
};

}  // namespace packtwin::eventlog
