// Builds the capture sources from what the user typed on the command line.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

struct SourceSpecs {
  std::vector<std::string> can;             // "can0", "slcan:/dev/ttyACM0@500000"
  std::vector<std::string> modbus_taps;     // "/dev/ttyUSB0@9600"
  std::vector<std::string> tcp_proxies;     // "127.0.0.1:1502=127.0.0.1:502"
  std::vector<std::string> mqtt;            // "127.0.0.1:1883[/alfaspark/#]"
};

Result<std::vector<std::unique_ptr<Source>>> MakeSources(const SourceSpecs& specs);

}  // namespace packtwin::recorder
