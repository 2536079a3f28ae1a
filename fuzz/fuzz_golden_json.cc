// Golden files: any JSON is compared or refused with its JSON path, against
// a small log made once.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/importer.h"
#include "packtwin/twin/golden.h"

namespace {

std::unique_ptr<packtwin::eventlog::EventReader> SmallLog() {
  const std::string base = "/tmp/packtwin-fuzz-golden-" + std::to_string(getpid());
  FILE* file = std::fopen((base + ".log").c_str(), "wb");
  if (file == nullptr) return nullptr;
  std::fputs("(1.000000) can0 72A#0100000000000000\n(2.000000) can0 22A#2300140500000000\n", file);
  std::fclose(file);
  packtwin::eventlog::ImportRequest request;
  request.inputs = {base + ".log"};
  request.output = base + ".db";
  request.force = true;
  if (!packtwin::eventlog::ImportLogs(request, {}).ok()) return nullptr;
  auto reader = packtwin::eventlog::EventReader::Open(base + ".db");
  return reader.ok() ? std::move(*reader) : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<packtwin::eventlog::EventReader> reader = SmallLog();
  if (!reader) return 0;
  const auto golden = nlohmann::json::parse(data, data + size, nullptr, false);
  if (golden.is_discarded()) return 0;
  (void)packtwin::twin::Regress(*reader, golden);
  return 0;
}
