// A damaged or hand-made .db file through the reader, info (verify), the
// twin's rebuild (stopping at located damage) and check and export (going on
// past it, as the commands do): errors, never crashes.
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
  // /dev/shm: one file per input, kept off the disk.
  const std::string path = "/dev/shm/packtwin-fuzz-log-" + std::to_string(getpid()) + ".db";
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
      (*reader)->SkipLocatedDamage(true);
      (void)packtwin::twin::CheckLog(**reader);
      packtwin::eventlog::ExportRequest request;
      request.db = path;
      request.format = packtwin::eventlog::ExportFormat::kJsonl;
      request.skip_located_damage = true;
      std::ostringstream out;
      (void)packtwin::eventlog::ExportEvents(request, out);
    }
  }
  std::remove(path.c_str());
  return 0;
}
