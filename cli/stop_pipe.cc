// SIGINT and SIGTERM write a byte to a pipe a capture loop polls: the loop
// stops between events and commits (record, bridge).
#include <signal.h>
#include <unistd.h>

#include "commands.h"

namespace packtwin::cli {
namespace {

int g_stop_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int signal_number) {
  const char byte = static_cast<char>(signal_number);
  (void)!::write(g_stop_pipe[1], &byte, 1);
}

}  // namespace

int InstallStopPipe() {
  if (g_stop_pipe[0] < 0 && ::pipe(g_stop_pipe) != 0) return -1;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return g_stop_pipe[0];
}

}  // namespace packtwin::cli
