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
#include "packtwin/fleet/site_key.h"

namespace {

// collect checks each block's untrusted signature against a site's key.
const packtwin::fleet::SiteKey* RegisteredKey() {
  static const auto key = [] {
    const std::string name = "/tmp/fuzz-fleet-key-" + std::to_string(::getpid());
    (void)packtwin::fleet::SiteKey::Generate(name + ".key", name + ".pub", true);
    auto loaded = packtwin::fleet::SiteKey::LoadPublic(name + ".pub");
    std::remove((name + ".key").c_str());
    std::remove((name + ".pub").c_str());
    return loaded.ok() ? std::move(*loaded) : nullptr;
  }();
  return key.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)packtwin::fleet::DecodeJob(bytes);
  (void)packtwin::fleet::DecodeResult(bytes);
  auto message = packtwin::fleet::DecodeBlockMessage(bytes);
  if (!message.ok()) return 0;
  if (const auto* key = RegisteredKey(); key != nullptr) {
    (void)key->Verify(packtwin::fleet::SignedBlockBytes(message->site, message->capture_id, message->block.first_seq,
                                                        message->block.last_seq, message->block.hash),
                      message->signature);
  }
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
