// What a NATS server hands the fleet: block messages (collect), jobs (a
// worker) and results (the submitter), from anyone allowed to publish. A
// block that decodes is appended to a fresh log, as collect would.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "packtwin/eventlog/event_writer.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/fleet_jobs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)packtwin::fleet::DecodeJob(bytes);
  (void)packtwin::fleet::DecodeResult(bytes);
  auto message = packtwin::fleet::DecodeBlockMessage(bytes);
  if (!message.ok()) return 0;
  const std::string path = "/tmp/fuzz-fleet-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  packtwin::eventlog::WriterOptions options;
  options.background_commits = false;
  options.durable = false;
  {
    auto writer = packtwin::eventlog::EventWriter::Create(path, options);
    if (writer.ok()) {
      (void)(*writer)->AppendStoredBlock(message->block, message->sources);
      (void)(*writer)->Close();
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
