// Child process for crash_test: writes CAN events to a new log as fast as it
// can with the recorder's settings (durable commits every 100 ms) and reports
// each appended seq on stdout as 8 raw bytes, until it is killed.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "packtwin/eventlog/event_writer.h"
#include "store_test_util.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_writer OUT.db\n");
    return 64;
  }
  packtwin::eventlog::WriterOptions options;
  options.site = "crash";
  options.tool_version = "test";
  options.commit_interval_ms = 100;
  options.durable = true;
  options.background_commits = true;
  auto writer = packtwin::eventlog::EventWriter::Create(argv[1], options);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", writer.status().message().c_str());
    return 1;
  }
  const uint64_t ready = 0;
  if (write(STDOUT_FILENO, &ready, sizeof ready) != sizeof ready) return 1;
  for (uint64_t i = 0;; ++i) {
    auto seq = (*writer)->Append(packtwin::testing::CanEvent(static_cast<int64_t>(i) * 1000, 0x180 + (i % 64), "01234567"));
    if (!seq.ok()) {
      std::fprintf(stderr, "%s\n", seq.status().message().c_str());
      return 1;
    }
    const uint64_t value = *seq;
    if (write(STDOUT_FILENO, &value, sizeof value) != sizeof value) return 1;
    if (i % 64 == 0) usleep(200);  // a bus-like pace with bursts, not a tight loop
  }
}
