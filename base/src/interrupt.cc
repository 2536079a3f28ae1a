#include "packtwin/base/interrupt.h"

#include <csignal>

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <string>

#include "packtwin/base/atomic_path.h"

namespace packtwin {
namespace {

constexpr size_t kMaxOutputs = 8;
constexpr size_t kMaxPath = 4096;
constexpr std::array<const char*, 4> kSidecars = {"", "-wal", "-shm", "-journal"};

// Filled outside the handler; the handler only reads slots marked used, and
// calls only async-signal-safe functions (unlink, write, _exit).
struct Slot {
  std::atomic<bool> used{false};
  std::array<std::array<char, kMaxPath + 16>, kSidecars.size()> remove{};
  std::array<char, kMaxPath + 64> message{};
};
std::array<Slot, kMaxOutputs> g_slots;

void Copy(std::array<char, kMaxPath + 16>& out, const std::string& path, const char* suffix) {
  const size_t n = std::min(path.size(), kMaxPath);
  std::memcpy(out.data(), path.data(), n);
  std::strncpy(out.data() + n, suffix, 15);
}

void Say(const char* text) { (void)!::write(STDERR_FILENO, text, std::strlen(text)); }

extern "C" void OnInterrupt(int /*signal_number*/) {
  bool said = false;
  for (auto& slot : g_slots) {
    if (!slot.used.load(std::memory_order_acquire)) continue;
    for (auto& path : slot.remove) ::unlink(path.data());
    Say(slot.message.data());
    said = true;
  }
  if (!said) Say("\npacktwin: interrupted\n");
  ::_exit(130);
}

}  // namespace

void RegisterPartialOutput(const std::string& temp_path, const std::string& final_path) {
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_acquire)) continue;
    for (size_t i = 0; i < kSidecars.size(); ++i) Copy(slot.remove[i], temp_path, kSidecars[i]);
    const std::string message =
        "\npacktwin: interrupted: " + final_path.substr(0, kMaxPath) + " was not written (nothing of it is left)\n";
    std::strncpy(slot.message.data(), message.c_str(), slot.message.size() - 1);
    slot.used.store(true, std::memory_order_release);
    return;
  }
}

void UnregisterPartialOutput(const std::string& temp_path) {
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_acquire) && temp_path.size() <= kMaxPath &&
        std::strncmp(slot.remove[0].data(), temp_path.c_str(), temp_path.size() + 1) == 0) {
      slot.used.store(false, std::memory_order_release);
    }
  }
}

namespace {
volatile std::sig_atomic_t g_stop_requested = 0;
extern "C" void OnStopRequest(int /*signal_number*/) { g_stop_requested = 1; }

// Ctrl-C and SIGTERM both go to `handler`.
void OnStopSignals(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}
}  // namespace

void InstallStopRequest() { OnStopSignals(OnStopRequest); }

bool StopRequested() { return g_stop_requested != 0; }

void InstallInterruptCleanup() { OnStopSignals(OnInterrupt); }

}  // namespace packtwin
