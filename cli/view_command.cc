#include <fmt/format.h>
#include <spawn.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/view/view_server.h"

extern char** environ;

namespace packtwin::cli {
namespace {

// The program's path as the shell would find it on PATH; empty when it is not there.
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "";
  size_t start = 0;
  // Bounded by the PATH string: each pass moves past one ':'.
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// --open: the desktop's browser, as xdg-open finds it; a missing one is only
// said. Looked up first rather than left to posix_spawnp's failure, which
// under a sanitizer's interceptor did not come back as cleanly.
void OpenBrowser(const std::string& url) {
  const std::string opener = FindOnPath("xdg-open");
  pid_t pid = 0;
  std::string program = "xdg-open";
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  if (opener.empty() || posix_spawn(&pid, opener.c_str(), nullptr, nullptr, argv, environ) != 0) {
    fmt::print(stderr, "packtwin view: cannot start xdg-open: open {} yourself\n", url);
  }
}

}  // namespace

void AddViewCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    std::string bind = "127.0.0.1";
    uint16_t port = 8080;
    bool open = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("view", "Serve a browser view of a log: the packs' telemetry on one time axis, findings, timeline and state at a cursor");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--port", options->port, "TCP port to listen on (default 8080)");
  cmd->add_option("--bind", options->bind, "address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_flag("--open", options->open, "open the page in the desktop's browser (xdg-open)");
  cmd->callback([options, &exit_code] {
    const auto started = std::chrono::steady_clock::now();
    auto store = view::SeriesStore::Load(options->db);
    if (!store.ok()) {
      exit_code = Fail(store.status());
      return;
    }
    auto queries = view::LogQueries::Open(options->db);
    if (!queries.ok()) {
      exit_code = Fail(queries.status());
      return;
    }
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Named now, before serving; the exit code says it at the end (2, as every reader).
    WarnSkippedDamaged(options->db, store->damaged(), exit_code);
    view::ViewOptions serve;
    serve.bind = options->bind;
    serve.port = options->port;
    serve.stop_fd = InstallStopPipe();
    serve.on_ready = [&](uint16_t port) {
      const std::string url = fmt::format("http://{}:{}/", options->bind, port);
      fmt::print("serving {} at {} ({} loaded in {:.2f} s; Ctrl-C stops)\n", options->db, url,
                 Counted(store->Nodes().size(), "pack"), load_s);
      std::fflush(stdout);
      if (options->open) OpenBrowser(url);
    };
    if (Status served = view::Serve(*store, **queries, serve); !served.ok()) {
      exit_code = Fail(served);
      return;
    }
    fmt::print("stopped\n");
  });
}

}  // namespace packtwin::cli
