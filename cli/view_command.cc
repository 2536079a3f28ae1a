#include <fmt/format.h>
#include <spawn.h>

#include <chrono>
#include <cstdio>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/view/view_server.h"

extern char** environ;

namespace packtwin::cli {
namespace {

// --open: the desktop's browser, as xdg-open finds it; a missing one is only said.
void OpenBrowser(const std::string& url) {
  pid_t pid = 0;
  std::string program = "xdg-open";
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, argv, environ) != 0) {
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
