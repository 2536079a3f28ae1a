// An slcan adapter emulated on a pseudo-terminal: the recorder opens the
// slave side as it would /dev/ttyACM0; the test plays the adapter on the master.
#pragma once

#include <string>
#include <vector>

namespace packtwin::testing {

class PtyAdapter {
 public:
  PtyAdapter();
  ~PtyAdapter();
  PtyAdapter(const PtyAdapter&) = delete;
  PtyAdapter& operator=(const PtyAdapter&) = delete;

  const std::string& device() const { return device_; }
  // Answers the setup commands as they arrive (CR, or BEL for those listed)
  // until the channel is opened; returns the commands seen.
  std::vector<std::string> ServeSetup(const std::vector<std::string>& refuse = {}, int timeout_ms = 5000);
  // Writes raw bytes as the adapter would send them.
  void Send(const std::string& bytes);
  // Commands written by the recorder since the last call (e.g. "C" at exit).
  std::vector<std::string> ReadCommands(int timeout_ms);
  // The adapter disappears (the master side closes).
  void Unplug();

 private:
  int master_ = -1;
  std::string device_;
  std::string pending_;
};

// "t1AA8...." for a standard frame, with an optional 4-digit ms timestamp.
std::string SlcanFrame(uint32_t id, const std::string& hex_data, int timestamp_ms = -1);

}  // namespace packtwin::testing
