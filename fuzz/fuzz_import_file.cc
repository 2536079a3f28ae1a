// A whole input file through the import sniffer and the line readers.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "frame_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/tmp/packtwin-fuzz-import-" + std::to_string(getpid()) + ".log";
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  auto stream = packtwin::eventlog::OpenFrameStream(path, packtwin::eventlog::InputFormat::kAuto);
  if (stream.ok()) {
    packtwin::v1::Event event;
    for (int i = 0; i < 100000; ++i) {
      auto more = (*stream)->Next(&event);
      if (!more.ok() || !*more) break;
    }
  }
  std::remove(path.c_str());
  return 0;
}
