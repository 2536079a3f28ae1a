// fleet check|regress|digest with fleet workers on a real nats-server
// cluster: field-defect captures shipped as sites, golden files, killed workers.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "fleet_support.h"
#include "nats_cluster.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/nats_link.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::NatsCluster;
using testing::Packtwin;
using testing::TempDir;

using testing::AppendFrames;
using testing::ChainHead;
using testing::CollectedLog;
using testing::Digest;
using testing::SmallBlockLog;
using testing::WaitForShippedSeq;
using testing::LastShippedSeq;

struct DefectSite {
  std::string site;
  std::string log;
  std::string rule;  // what check must report there
};

std::vector<DefectSite> DefectSites() {
  return {{"defect-02", "field-defect-02-soc-rails.log", "soc-inconsistent-with-voltage"},
          {"defect-03", "field-defect-03-grid-reclosed-in-lockout.log", "grid-closed-in-lockout"},
          {"defect-04", "field-defect-04-reset-at-midnight.log", "reset-not-at-0500"},
          {"defect-05", "field-defect-05-command-filter.log", "acted-on-non-command"},
          {"defect-06", "field-defect-06-hardcoded-node-id.log", "duplicate-node-id"},
          {"defect-07", "field-defect-07-eco-oscillation.log", "eco-oscillation"},
          {"defect-08", "field-defect-08-grid-energy-kw.log", "grid-energy-scale"},
          {"defect-10", "field-defect-10-15-byte-telemetry.log", "telemetry-wrong-length"}};
}

// Imports, ships and collects every defect capture; the collected logs are in dir/out.
void ShipDefectSites(const NatsCluster& cluster, const TempDir& dir) {
  for (const auto& d : DefectSites()) {
    const std::string db = dir.File(d.site + ".db");
    auto imported = Packtwin({"import", testing::SourceDir() + "/scenarios/captures/" + d.log, "-o", db, "--site", d.site});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto shipped = Packtwin({"ship", db, "--to", cluster.Url()});
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  }
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
}

TEST(Fleet, FleetCheckWithTwoWorkersReportsEachFieldDefectAtItsSite) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  ShipDefectSites(cluster, dir);
  // The workers start before the run queues its jobs: a short --idle-exit let
  // them leave first on a loaded machine (every job then missing). They are
  // stopped when the test ends.
  testing::Child first({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--name", "w1", "--idle-exit", "120s"});
  testing::Child second({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--name", "w2", "--idle-exit", "120s"});
  auto run = Packtwin({"fleet", "check", "--from", cluster.Url(), "--logs", dir.File("out"), "--timeout", "2m", "--json"});
  EXPECT_EQ(run.exit_code, 1) << "findings make the run fail, as check does\n" << run.err;
  const auto summary = nlohmann::json::parse(run.out);
  ASSERT_EQ(summary["sites"].size(), DefectSites().size()) << run.out;
  EXPECT_TRUE(summary["missing"].empty());
  for (const auto& d : DefectSites()) {
    bool found = false;
    for (const auto& site : summary["sites"]) {
      if (site["site"] == d.site) found = site["findings"].contains(d.rule);
    }
    EXPECT_TRUE(found) << d.site << " should report " << d.rule << "\n" << run.out;
  }
  std::set<std::string> workers;
  for (const auto& site : summary["sites"]) workers.insert(site["worker"].get<std::string>());
  EXPECT_FALSE(workers.empty());
}

TEST(Fleet, FleetRegressFindsTheOneSiteWhoseGoldenFileDiffersAndOnlyThatOne) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  ShipDefectSites(cluster, dir);
  std::filesystem::create_directories(dir.File("golden"));
  for (const auto& d : DefectSites()) {
    std::string golden = testing::ReadFile(testing::SourceDir() + "/scenarios/captures/" + d.log + ".golden.json");
    if (d.site == "defect-05") {
      // As if other reducers had made it: the first digest is another state's.
      auto json = nlohmann::json::parse(golden);
      ASSERT_FALSE(json["digests"].empty());
      json["digests"][0]["digest"] = "0123456789abcdef";
      golden = json.dump(1);
    }
    testing::WriteFile(dir.File("golden/" + d.site + ".golden.json"), golden);
  }
  testing::Child worker({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--idle-exit", "120s"});
  auto run = Packtwin({"fleet", "regress", "--from", cluster.Url(), "--logs", dir.File("out"), "--golden-dir", dir.File("golden"),
                       "--timeout", "2m", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto summary = nlohmann::json::parse(run.out);
  ASSERT_EQ(summary["differ"].size(), 1u) << run.out;
  EXPECT_EQ(summary["differ"][0].get<std::string>().substr(0, 9), "defect-05");
  EXPECT_TRUE(summary["failed"].empty()) << run.out;
}

TEST(Fleet, AWorkerKilledMidRunHasItsJobsRedoneAndEachResultCountsOnce) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  // A day of a 3-pack site first in the queue (sites go in name order): the
  // first worker is killed while it folds it.
  auto big = Packtwin({"simulate", "--packs", "3", "--duration", "24h", "--site", "aaa-big", "-o", dir.File("big.db")});
  ASSERT_EQ(big.exit_code, 0) << big.err;
  ASSERT_EQ(Packtwin({"ship", dir.File("big.db"), "--to", cluster.Url()}).exit_code, 0);
  ShipDefectSites(cluster, dir);
  auto queued = Packtwin({"fleet", "digest", "--from", cluster.Url(), "--logs", dir.File("out"), "--no-wait", "--json"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  const std::string run_id = nlohmann::json::parse(queued.out)["run"];
  {
    testing::Child doomed({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--ack-wait", "2s", "--name", "doomed"});
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    doomed.Signal(SIGKILL);
    doomed.Wait(5'000);
  }
  testing::Child survivor(
      {testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--idle-exit", "5s", "--name", "survivor"});
  auto survived = survivor.Wait(60'000);
  EXPECT_EQ(survived.exit_code, 0) << survived.err;
  auto results = Packtwin({"fleet", "results", run_id, "--from", cluster.Url(), "--json"});
  ASSERT_EQ(results.exit_code, 0) << results.err << results.out;
  const auto summary = nlohmann::json::parse(results.out);
  EXPECT_EQ(summary["sites"].size(), DefectSites().size() + 1) << results.out;
  std::set<std::string> jobs;
  for (const auto& site : summary["sites"]) {
    EXPECT_TRUE(jobs.insert(site["job"].get<std::string>()).second) << "counted twice: " << site["job"];
    EXPECT_EQ(site["digest"].get<std::string>().size(), 16u);
    // Killed 150 ms into a job that takes most of a second: redone after the ack wait.
    if (site["site"] == "aaa-big") {
      EXPECT_EQ(site["worker"], "survivor") << results.out;
    }
  }
}

}  // namespace
}  // namespace packtwin
