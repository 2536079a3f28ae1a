// ship and collect: a site's log to NATS JetStream and back into a log.
#include <fmt/format.h>
#include <signal.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/base/interrupt.h"
#include "packtwin/fleet/collect.h"
#include "packtwin/fleet/fleet_jobs.h"
#include "packtwin/fleet/ship.h"
#include "packtwin/fleet/site_key.h"
#include "progress_bar.h"

namespace packtwin::cli {
namespace {

// Ctrl-C ends shipping, collecting or a worker between blocks (or jobs):
// what was acknowledged stays so, and the summary says how far it got.
void InstallFleetStop() { InstallStopRequest(); }

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
    std::string key;
    bool follow = false;
    bool leaf = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("ship", "Send a log's blocks, as stored, to NATS JetStream (resumes where the stream ends)");
  cmd->add_option("DB", options->db, "event log")->required();
  AddNatsOptions(cmd, &options->nats, "--to");
  cmd->add_option("--site", options->site, "site name (default: the log's own); letters, digits, '-' and '_'");
  cmd->add_option("--replicas", options->replicas, "replicas of the block stream when it is created (default 1)")
      ->check(CLI::Range(1, 5));
  cmd->add_option("--key", options->key, "the site's private key (packtwin keygen): sign every block");
  cmd->add_flag("--follow", options->follow, "keep shipping blocks as a recorder commits them, until it closes the log");
  cmd->add_flag("--leaf", options->leaf,
                "the server is the bridge's leaf node, whose stream the hub sources (fleet add-leaf): publish without "
                "the per-subject sequence check, which nats-server 2.9 would repeat at the hub");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    auto spec = NatsSpecOf(options->nats, exit_code);
    if (!spec) return;
    InstallFleetStop();
    fleet::ShipRequest request;
    request.leaf = options->leaf;
    request.key_file = options->key;
    request.db = options->db;
    request.nats = *spec;
    request.site = options->site;
    request.replicas = options->replicas;
    request.follow = options->follow;
    request.stop = [] { return StopRequested(); };
    ProgressBar bar("shipping", 0, "");
    auto summary = fleet::Ship(request, [&bar](const fleet::ShipSummary& s) {
      bar.SetUnit(fmt::format("blocks shipped and acknowledged ({} events), {} duplicates, {} pending", s.events,
                              s.duplicates, s.pending_blocks));
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
    exit_code = StopRequested() ? kExitInterrupted : kExitOk;
  });
}

void AddCollectCommand(CLI::App& app, int& exit_code) {
  struct Options {
    NatsOptions nats;
    std::string out;
    std::string sites = "*";
    std::string durable = "packtwin-collect";
    std::string keys;
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
  cmd->add_option("--keys", options->keys,
                  "registered public keys, DIR/SITE.pub: accept only blocks signed by their site's key (a site "
                  "without one, an unsigned block or a bad signature is quarantined)");
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
    request.keys_dir = options->keys;
    request.replicas = options->replicas;
    if (!options->idle.empty()) {
      auto idle_ms = ParseDurationOption("collect --idle-exit", options->idle, exit_code);
      if (!idle_ms) return;
      request.idle_exit_ms = static_cast<int>(std::min<int64_t>(*idle_ms, INT32_MAX));
    }
    InstallFleetStop();
    request.stop = [] { return StopRequested(); };
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
    exit_code = quarantined != 0 ? kExitDamaged : (StopRequested() ? kExitInterrupted : kExitOk);
  });
}


namespace {

nlohmann::ordered_json RunJson(const fleet::RunSummary& run, fleet::JobKind kind) {
  nlohmann::ordered_json out;
  out["run"] = run.run_id;
  out["command"] = fleet::JobKindName(kind);
  out["jobs"] = run.jobs;
  uint64_t events = 0;
  std::map<std::string, uint64_t> by_rule;
  nlohmann::ordered_json sites = nlohmann::ordered_json::array();
  std::vector<std::string> differ;
  std::vector<std::string> failed;
  for (const auto& r : run.results) {
    events += r.events;
    for (const auto& [rule, n] : r.findings_by_rule) by_rule[rule] += n;
    if (r.differs) differ.push_back(r.job_id);
    if (!r.error.empty()) failed.push_back(r.job_id);
    nlohmann::ordered_json site = {{"job", r.job_id}, {"site", r.site}, {"worker", r.worker}, {"events", r.events}};
    if (kind == fleet::JobKind::kDigest) site["digest"] = r.digest;
    if (kind == fleet::JobKind::kCheck) site["findings"] = r.findings_by_rule;
    if (kind == fleet::JobKind::kRegress) site["differs"] = r.differs;
    if (r.differs) site["difference"] = r.difference;
    if (!r.error.empty()) site["error"] = r.error;
    sites.push_back(site);
  }
  out["sites"] = sites;
  out["events"] = events;
  if (kind == fleet::JobKind::kCheck) out["findings_by_rule"] = by_rule;
  if (kind == fleet::JobKind::kRegress) out["differ"] = differ;
  out["failed"] = failed;
  out["missing"] = run.missing;
  return out;
}

void PrintRun(const fleet::RunSummary& run, fleet::JobKind kind) {
  uint64_t events = 0;
  uint64_t findings = 0;
  size_t differ = 0;
  size_t failed = 0;
  std::map<std::string, uint64_t> by_rule;
  for (const auto& r : run.results) {
    events += r.events;
    std::string what;
    if (!r.error.empty()) {
      ++failed;
      what = "FAILED: " + r.error;
    } else if (kind == fleet::JobKind::kDigest) {
      what = r.digest;
    } else if (kind == fleet::JobKind::kCheck) {
      uint64_t n = 0;
      for (const auto& [rule, count] : r.findings_by_rule) {
        n += count;
        by_rule[rule] += count;
      }
      findings += n;
      what = Counted(n, "finding");
    } else {
      differ += r.differs ? 1 : 0;
      what = r.differs ? "DIFFERS: " + r.difference : "same as its golden file";
    }
    fmt::print("{:<36} {:>16}  {}\n", r.job_id, Counted(r.events, "event"), what);
  }
  for (const auto& job : run.missing) fmt::print("{:<36} {:>16}  no result yet\n", job, "");
  // No run id here: it is in --json, and only --no-wait needs it.
  fmt::print("{}, {} of {} answered, {}", Counted(run.results.size(), "site capture"), run.results.size(), run.jobs,
             Counted(events, "event"));
  if (kind == fleet::JobKind::kCheck) fmt::print(", {}", Counted(findings, "finding"));
  if (kind == fleet::JobKind::kRegress) fmt::print(", {} differ from their golden files", differ);
  fmt::print(", {} failed\n", failed);
  for (const auto& [rule, count] : by_rule) fmt::print("  {:<40} {}\n", rule, count);
}

int RunExit(const fleet::RunSummary& run) {
  for (const auto& r : run.results) {
    if (!r.error.empty() || r.differs || !r.findings_by_rule.empty()) return kExitFailed;
  }
  return run.missing.empty() ? kExitOk : kExitFailed;
}

void AddRunCommand(CLI::App* fleet_cmd, fleet::JobKind kind, const char* description, int& exit_code) {
  struct Options {
    NatsOptions nats;
    std::string logs;
    std::string sites = "*";
    std::string golden_dir;
    int replicas = 1;
    std::string timeout = "10m";
    bool no_wait = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = fleet_cmd->add_subcommand(fleet::JobKindName(kind), description);
  AddNatsOptions(cmd, &options->nats, "--from");
  cmd->add_option("--logs", options->logs, "the collected logs (collect's --out), on a directory every worker sees")->required();
  cmd->add_option("--sites", options->sites, "only sites whose name matches this glob (default *)");
  if (kind == fleet::JobKind::kRegress) {
    cmd->add_option("--golden-dir", options->golden_dir, "golden files, one per site: DIR/SITE.golden.json")->required();
  }
  cmd->add_option("--replicas", options->replicas, "replicas of the job and result streams when created (default 1)")
      ->check(CLI::Range(1, 5));
  cmd->add_option("--timeout", options->timeout, "wait this long for the results (default 10m)");
  cmd->add_flag("--no-wait", options->no_wait, "put the jobs on the queue and print the run id (see fleet results)");
  cmd->add_flag("--json", options->json, "print every result and the summary as JSON");
  cmd->callback([options, kind, &exit_code] {
    auto spec = NatsSpecOf(options->nats, exit_code);
    if (!spec) return;
    auto timeout_ms = ParseDurationOption(std::string("fleet ") + fleet::JobKindName(kind) + " --timeout", options->timeout, exit_code);
    if (!timeout_ms) return;
    InstallFleetStop();
    fleet::SubmitRequest request;
    request.nats = *spec;
    request.kind = kind;
    request.logs_dir = options->logs;
    request.sites_glob = options->sites;
    request.golden_dir = options->golden_dir;
    request.replicas = options->replicas;
    request.wait = !options->no_wait;
    request.timeout_ms = static_cast<int>(std::min<int64_t>(*timeout_ms, INT32_MAX));
    request.stop = [] { return StopRequested(); };
    ProgressBar bar("waiting for results", 0, "answered");
    auto run = fleet::SubmitRun(request, [&bar](const fleet::RunSummary& s) { bar.Update(s.results.size()); });
    bar.Finish();
    if (!run.ok()) {
      exit_code = Fail(run.status());
      return;
    }
    if (options->no_wait) {
      if (options->json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"run", run->run_id}, {"jobs", run->jobs}}.dump(2));
      } else {
        fmt::print("run {}: {} queued; see packtwin fleet results {}\n", run->run_id, Counted(run->jobs, "job"), run->run_id);
      }
      return;
    }
    if (options->json) {
      fmt::print("{}\n", RunJson(*run, kind).dump(2));
    } else {
      PrintRun(*run, kind);
    }
    exit_code = RunExit(*run);
  });
}

}  // namespace

void AddKeygenCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string name;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("keygen", "Make a site's Ed25519 key pair: NAME.key signs what ship sends, NAME.pub is registered with collect");
  cmd->add_option("NAME", options->name, "path and name of the pair, e.g. keys/north (writes keys/north.key and keys/north.pub)")
      ->required();
  cmd->add_flag("--force", options->force, "replace an existing key pair");
  cmd->callback([options, &exit_code] {
    const std::string private_path = options->name + ".key";
    const std::string public_path = options->name + ".pub";
    Status made = fleet::SiteKey::Generate(private_path, public_path, options->force);
    if (!made.ok()) {
      exit_code = Fail(made);
      return;
    }
    auto key = fleet::SiteKey::LoadPublic(public_path);
    if (!key.ok()) {
      exit_code = Fail(key.status());
      return;
    }
    fmt::print("wrote {} (private: stays on the bridge, mode 0600) and {} (public, key {}: copy it to collect's --keys "
               "directory as SITE.pub)\n",
               private_path, public_path, (*key)->id());
  });
}

void AddLeafCommand(CLI::App* fleet_cmd, int& exit_code) {
  struct Options {
    std::string domain;
    NatsOptions nats;
    int replicas = 1;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = fleet_cmd->add_subcommand(
      "add-leaf", "Source a bridge's leaf node (its own JetStream domain) into the hub's block stream");
  cmd->add_option("DOMAIN", options->domain, "the leaf node's JetStream domain (jetstream { domain: ... } in its configuration)")
      ->required();
  AddNatsOptions(cmd, &options->nats, "--from");
  cmd->add_option("--replicas", options->replicas, "replicas of the block stream when it is created (default 1)")
      ->check(CLI::Range(1, 5));
  cmd->callback([options, &exit_code] {
    auto spec = NatsSpecOf(options->nats, exit_code);
    if (!spec) return;
    if (Status valid = fleet::CheckSubjectToken("leaf domain", options->domain); !valid.ok()) {
      exit_code = kExitUsage;
      Fail(valid);
      return;
    }
    auto link = fleet::NatsLink::Connect(*spec);
    if (!link.ok()) {
      exit_code = Fail(link.status());
      return;
    }
    Status stream = (*link)->EnsureBlockStream(options->replicas);
    if (!stream.ok()) {
      exit_code = Fail(stream);
      return;
    }
    auto added = (*link)->SourceLeafDomain(options->domain);
    if (!added.ok()) {
      exit_code = Fail(added.status());
      return;
    }
    fmt::print("{}: stream {} {} the blocks of leaf domain {} (through {})\n", options->nats.url, fleet::kBlockStream,
               *added ? "now sources" : "already sources", options->domain, fleet::LeafApiPrefix(options->domain));
  });
}

void AddFleetCommand(CLI::App& app, int& exit_code) {
  auto* fleet_cmd = app.add_subcommand("fleet", "Run the twin across every collected site capture on NATS JetStream workers");
  fleet_cmd->require_subcommand(1);
  AddLeafCommand(fleet_cmd, exit_code);
  AddRunCommand(fleet_cmd, fleet::JobKind::kCheck, "check every site capture; one line per site, findings by rule", exit_code);
  AddRunCommand(fleet_cmd, fleet::JobKind::kRegress,
                "the release gate: every site capture against its golden file with the current reducers", exit_code);
  AddRunCommand(fleet_cmd, fleet::JobKind::kDigest, "the twin's final state digest of every site capture", exit_code);

  struct WorkerOptions {
    NatsOptions nats;
    std::string name;
    std::string ack_wait = "60s";
    std::string idle;
  };
  auto worker = std::make_shared<WorkerOptions>();
  auto* worker_cmd = fleet_cmd->add_subcommand("worker", "Pull fleet jobs, run each on its log, publish the result, acknowledge");
  AddNatsOptions(worker_cmd, &worker->nats, "--from");
  worker_cmd->add_option("--name", worker->name, "this worker's name in the results (default worker-PID)");
  worker_cmd->add_option("--ack-wait", worker->ack_wait,
                         "a job not acknowledged this long goes to another worker (default 60s; set when the queue is first used)");
  worker_cmd->add_option("--idle-exit", worker->idle, "stop after this long without a job (default: run until Ctrl-C)");
  worker_cmd->callback([worker, &exit_code] {
    auto spec = NatsSpecOf(worker->nats, exit_code);
    if (!spec) return;
    auto ack_ms = ParseDurationOption("fleet worker --ack-wait", worker->ack_wait, exit_code);
    if (!ack_ms) return;
    fleet::WorkerRequest request;
    request.nats = *spec;
    request.name = worker->name;
    request.ack_wait_ms = static_cast<int>(std::min<int64_t>(*ack_ms, INT32_MAX));
    if (!worker->idle.empty()) {
      auto idle_ms = ParseDurationOption("fleet worker --idle-exit", worker->idle, exit_code);
      if (!idle_ms) return;
      request.idle_exit_ms = static_cast<int>(std::min<int64_t>(*idle_ms, INT32_MAX));
    }
    InstallFleetStop();
    request.stop = [] { return StopRequested(); };
    auto summary = fleet::RunWorker(request, [](const fleet::JobResult& r) {
      fmt::print(stderr, "{} {}: {}\n", r.job_id, r.error.empty() ? "done" : "FAILED", r.error.empty() ? Counted(r.events, "event") : r.error);
    });
    if (!summary.ok()) {
      exit_code = Fail(summary.status());
      return;
    }
    fmt::print("worker ran {} ({} failed)\n", Counted(summary->jobs, "job"), summary->failed);
  });

  struct ResultsOptions {
    NatsOptions nats;
    std::string run;
    bool json = false;
  };
  auto results = std::make_shared<ResultsOptions>();
  auto* results_cmd = fleet_cmd->add_subcommand("results", "The results of a run so far (after --no-wait)");
  results_cmd->add_option("RUN", results->run, "the run id fleet check|regress|digest printed")->required();
  AddNatsOptions(results_cmd, &results->nats, "--from");
  results_cmd->add_flag("--json", results->json, "print as JSON");
  results_cmd->callback([results, &exit_code] {
    auto spec = NatsSpecOf(results->nats, exit_code);
    if (!spec) return;
    auto run = fleet::RunResults(*spec, results->run, 5'000);
    if (!run.ok()) {
      exit_code = Fail(run.status());
      return;
    }
    const fleet::JobKind kind = run->results.empty() ? fleet::JobKind::kDigest : run->results.front().kind;
    if (results->json) {
      fmt::print("{}\n", RunJson(*run, kind).dump(2));
    } else {
      PrintRun(*run, kind);
    }
    exit_code = RunExit(*run);
  });
}

}  // namespace packtwin::cli
