// `packtwin monitor` on a real terminal: tmux runs it against an slcan adapter
// emulated on a pseudo-terminal; the test reads the screen with capture-pane
// and stops it with Ctrl-C through send-keys, as a user would.
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pty_adapter.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::PtyAdapter;
using testing::SlcanFrame;

class Tmux {
 public:
  explicit Tmux(const std::string& command) : socket_(fmt::format("packtwin-test-{}", ::getpid())) {
    auto started = Run({"new-session", "-d", "-x", "220", "-y", "60", command});
    EXPECT_EQ(started.exit_code, 0) << started.err;
  }
  ~Tmux() { Run({"kill-server"}); }
  std::string Screen() { return Run({"capture-pane", "-p", "-t", "0"}).out; }
  // Polls the screen until it shows `text` (at most timeout_ms).
  std::string WaitFor(const std::string& text, int timeout_ms = 10'000) {
    std::string screen;
    for (int waited = 0; waited < timeout_ms; waited += 50) {
      screen = Screen();
      if (screen.find(text) != std::string::npos) break;
      usleep(50'000);
    }
    return screen;
  }
  void Keys(const std::string& keys) { Run({"send-keys", "-t", "0", keys}); }
  bool Alive() { return Run({"has-session", "-t", "0"}).exit_code == 0; }

 private:
  testing::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-L", socket_});
    return testing::Run(args);
  }
  std::string socket_;
};

TEST(Monitor, ATerminalShowsEachNodesLatestStateRefreshedInPlaceAndCtrlCStopsIt) {
  PtyAdapter adapter;
  // The pane outlives the monitor (sleep), so its last screen can still be read.
  Tmux tmux(testing::PacktwinBinary() + " monitor slcan:" + adapter.device() + "; sleep 30");
  adapter.ServeSetup();
  adapter.Send(SlcanFrame(0x72A, "01020601000000AA"));  // HEARTBEAT of 0x2A: a pack, master
  adapter.Send(SlcanFrame(0x1AA, "5014E204230F0120"));  // TEL_BATT: 52.00 V, 12.50 A, SOC 35 %, all closed, master
  adapter.Send(SlcanFrame(0x22A, "2C0108078A026608"));  // TEL_POWER: grid 300 W
  std::string screen = tmux.WaitFor("0x2A");
  EXPECT_NE(screen.find("1 node, 3 CAN ids"), std::string::npos) << screen;
  EXPECT_NE(screen.find("\nslcan0 "), std::string::npos) << "the channel named as exports name it: " << screen;
  screen = tmux.WaitFor("35");
  EXPECT_NE(screen.find("master"), std::string::npos) << screen;
  EXPECT_NE(screen.find("52.0"), std::string::npos) << screen;
  EXPECT_NE(screen.find("GIPH"), std::string::npos) << "relays closed: " << screen;
  EXPECT_NE(screen.find("TEL_BATT"), std::string::npos) << "the id table names the frame: " << screen;
  adapter.Send(SlcanFrame(0x1AA, "5014E204240F0120"));  // SOC 36 %
  screen = tmux.WaitFor(" 36 ");
  EXPECT_NE(screen.find(" 36 "), std::string::npos) << screen;
  EXPECT_EQ(screen.find(" 35 "), std::string::npos) << "the row is redrawn in place, not added: " << screen;
  size_t rows = 0;
  for (size_t at = screen.find("\n0x2A"); at != std::string::npos; at = screen.find("\n0x2A", at + 1)) ++rows;
  EXPECT_EQ(rows, 1u) << screen;
  tmux.Keys("C-c");
  EXPECT_EQ(adapter.ReadCommands(5000), (std::vector<std::string>{"C"})) << "Ctrl-C stops it and closes the channel";
}

TEST(Monitor, ASourceItCannotNameIsAUsageError) {
  auto result = testing::Packtwin({"monitor", "ftp:example"});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_NE(result.err.find("a source is can0, slcan:DEV"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace packtwin
