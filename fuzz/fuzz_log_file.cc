// A damaged or hand-made .db file through the reader, info, the twin's
// rebuild and check, and export: errors, never crashes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/exporter.h"
#include "packtwin/eventlog/store_info.h"
#include "packtwin/twin/check.h"
#include "packtwin/twin/rebuild.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/tmp/packtwin-fuzz-log-" + std::to_string(getpid()) + ".db";
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  {
    auto reader = packtwin::eventlog::EventReader::Open(path);
    if (reader.ok()) {
      (void)packtwin::eventlog::CollectInfo(**reader);
      (void)packtwin::twin::Rebuild(**reader, packtwin::twin::RebuildLimit{});
      (void)packtwin::twin::CheckLog(**reader);
      packtwin::eventlog::ExportRequest request;
      request.db = path;
      request.format = packtwin::eventlog::ExportFormat::kJsonl;
      std::ostringstream out;
      (void)packtwin::eventlog::ExportEvents(request, out);
    }
  }
  std::remove(path.c_str());
  return 0;
}
