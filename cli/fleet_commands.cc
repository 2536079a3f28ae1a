// ship and collect: a site's log to NATS JetStream and back into a log.
#include <fmt/format.h>
#include <signal.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/fleet/collect.h"
#include "packtwin/fleet/ship.h"
#include "progress_bar.h"

namespace packtwin::cli {
namespace {

volatile std::sig_atomic_t g_fleet_stop = 0;
extern "C" void OnFleetStop(int /*signal_number*/) { g_fleet_stop = 1; }

// Ctrl-C ends shipping or collecting between blocks: what was acknowledged
// stays so, and the summary says how far it got.
void InstallFleetStop() {
  struct sigaction action {};
  action.sa_handler = OnFleetStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct NatsOptions {
  std::string url;
  std::string user;
  std::string password;
  std::string token;
  std::string creds;
  std::string tls_ca;
};

void AddNatsOptions(CLI::App* cmd, NatsOptions* nats, const char* flag) {
  cmd->add_option(flag, nats->url, "NATS servers: nats://HOST:PORT[,HOST:PORT...]")->required();
  cmd->add_option("--user", nats->user, "NATS user (with --password)");
  cmd->add_option("--password", nats->password, "NATS password");
  cmd->add_option("--token", nats->token, "NATS authentication token");
  cmd->add_option("--creds", nats->creds, "NATS credentials file (.creds: JWT and NKey seed)");
  cmd->add_option("--tls-ca", nats->tls_ca, "CA certificate file: connect with TLS and trust this CA");
}

std::optional<fleet::NatsSpec> NatsSpecOf(const NatsOptions& options, int& exit_code) {
  auto spec = fleet::ParseNatsUrl(options.url);
  if (!spec.ok()) {
    exit_code = kExitUsage;
    Fail(spec.status().message());
    return std::nullopt;
  }
  if (!options.user.empty()) spec->user = options.user;
  if (!options.password.empty()) spec->password = options.password;
  if (!options.token.empty()) spec->token = options.token;
  spec->creds_file = options.creds;
  spec->ca_file = options.tls_ca;
  return *spec;
}

nlohmann::ordered_json ShipJson(const fleet::ShipSummary& s) {
  nlohmann::ordered_json out;
  out["site"] = s.site;
  out["capture"] = s.capture_id;
  out["resumed_after_seq"] = s.resumed_after_seq;
  out["blocks"] = s.blocks;
  out["events"] = s.events;
  out["duplicates"] = s.duplicates;
  out["pending_blocks"] = s.pending_blocks;
  return out;
}

}  // namespace

void AddShipCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    NatsOptions nats;
    std::string site;
    int replicas = 1;
    bool follow = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("ship", "Send a log's blocks, as stored, to NATS JetStream (resumes where the stream ends)");
  cmd->add_option("DB", options->db, "event log")->required();
  AddNatsOptions(cmd, &options->nats, "--to");
  cmd->add_option("--site", options->site, "site name (default: the log's own); letters, digits, '-' and '_'");
  cmd->add_option("--replicas", options->replicas, "replicas of the block stream when it is created (default 1)")
      ->check(CLI::Range(1, 5));
  cmd->add_flag("--follow", options->follow, "keep shipping blocks as a recorder commits them, until it closes the log");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    auto spec = NatsSpecOf(options->nats, exit_code);
    if (!spec) return;
    InstallFleetStop();
    fleet::ShipRequest request;
    request.db = options->db;
    request.nats = *spec;
    request.site = options->site;
    request.replicas = options->replicas;
    request.follow = options->follow;
    request.stop = [] { return g_fleet_stop != 0; };
    ProgressBar bar("shipping", 0, "");
    auto summary = fleet::Ship(request, [&bar](const fleet::ShipSummary& s) {
      bar.SetUnit(fmt::format("blocks shipped and acknowledged ({} events), {} duplicates", s.events, s.duplicates));
      bar.Update(s.blocks);
    });
    bar.Finish();
    if (!summary.ok()) {
      exit_code = Fail(summary.status().message() + "\nwhat the stream acknowledged stays; run ship again to go on");
      return;
    }
    if (options->json) {
      fmt::print("{}\n", ShipJson(*summary).dump(2));
    } else if (summary->capture_id.empty()) {
      fmt::print("{}: no blocks yet: nothing shipped\n", options->db);
    } else {
      const std::string held = summary->resumed_after_seq == 0
                                   ? "the stream held none of it before"
                                   : fmt::format("the stream held seq 1 to {} before", summary->resumed_after_seq);
      fmt::print("shipped {} as site {} (capture {}): {}, {}; {}; {} pending\n", options->db, summary->site,
                 summary->capture_id, Counted(summary->blocks, "block"), Counted(summary->events, "event"), held,
                 Counted(summary->pending_blocks, "block"));
    }
    exit_code = g_fleet_stop != 0 ? kExitInterrupted : kExitOk;
  });
}

void AddCollectCommand(CLI::App& app, int& exit_code) {
  struct Options {
    NatsOptions nats;
    std::string out;
    std::string sites = "*";
    std::string durable = "packtwin-collect";
    int replicas = 1;
    std::string idle;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "collect", "Rebuild every site's capture from NATS JetStream as a log of its own (DIR/SITE/CAPTURE.db)");
  AddNatsOptions(cmd, &options->nats, "--from");
  cmd->add_option("--out", options->out, "directory of the collected logs")->required();
  cmd->add_option("--sites", options->sites, "only sites whose name matches this glob (default *)");
  cmd->add_option("--durable", options->durable, "name of the durable consumer (default packtwin-collect)");
  cmd->add_option("--replicas", options->replicas, "replicas of the block stream when it is created (default 1)")
      ->check(CLI::Range(1, 5));
  cmd->add_option("--idle-exit", options->idle, "stop after this long without a block (30s, 2m); default: run until Ctrl-C");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    auto spec = NatsSpecOf(options->nats, exit_code);
    if (!spec) return;
    fleet::CollectRequest request;
    request.nats = *spec;
    request.out_dir = options->out;
    request.sites_glob = options->sites;
    request.durable = options->durable;
    request.replicas = options->replicas;
    if (!options->idle.empty()) {
      auto idle_ms = ParseDurationOption("collect --idle-exit", options->idle, exit_code);
      if (!idle_ms) return;
      request.idle_exit_ms = static_cast<int>(std::min<int64_t>(*idle_ms, INT32_MAX));
    }
    InstallFleetStop();
    request.stop = [] { return g_fleet_stop != 0; };
    ProgressBar bar("collecting", 0, "blocks");
    auto summary = fleet::Collect(
        request, [](const std::string& warning) { fmt::print(stderr, "packtwin: {}\n", warning); },
        [&bar](const fleet::CollectSummary& s) { bar.Update(s.blocks); });
    bar.Finish();
    if (!summary.ok()) {
      exit_code = Fail(summary.status().message() + "\nevery block appended was committed first; unacknowledged ones come again");
      return;
    }
    size_t quarantined = 0;
    for (const auto& [site, collected] : summary->sites) quarantined += collected.quarantined.empty() ? 0 : 1;
    if (options->json) {
      nlohmann::ordered_json out;
      out["blocks"] = summary->blocks;
      out["duplicates"] = summary->duplicates;
      out["not_blocks"] = summary->not_blocks;
      out["sites"] = nlohmann::ordered_json::object();
      for (const auto& [site, c] : summary->sites) {
        out["sites"][site] = {{"path", c.path}, {"blocks", c.blocks}, {"events", c.events}, {"duplicates", c.duplicates},
                              {"quarantined", c.quarantined}};
      }
      fmt::print("{}\n", out.dump(2));
    } else {
      for (const auto& [site, c] : summary->sites) {
        fmt::print("{:<16} {:>12} {:>16} {:>10}  {}{}\n", site, Counted(c.blocks, "block"), Counted(c.events, "event"),
                   fmt::format("{} resent", c.duplicates), c.path, c.quarantined.empty() ? "" : "  QUARANTINED: " + c.quarantined);
      }
      fmt::print("collected {} from {} into {} ({} skipped, {} quarantined)\n", Counted(summary->blocks, "block"),
                 Counted(summary->sites.size(), "site"), options->out, Counted(summary->duplicates, "resent block"),
                 Counted(quarantined, "site"));
    }
    exit_code = quarantined != 0 ? kExitDamaged : (g_fleet_stop != 0 ? kExitInterrupted : kExitOk);
  });
}

}  // namespace packtwin::cli
