// The simulated site: every pack is the firmware reducer, so a simulated day
// must pass `check` (the firmware and the twin's rules agree), the master must
// be the highest pack id, and the same seed must give the same capture.
#include <gtest/gtest.h>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/firmware/node_table.h"
#include "packtwin/replay/site_sim.h"
#include "packtwin/twin/check.h"
#include "packtwin/twin/rebuild.h"
#include "test_support.h"

namespace packtwin::replay {
namespace {

Result<SimSummary> RunSite(const std::string& path, int packs, int64_t hours, uint64_t seed) {
  SimConfig config;
  config.packs = packs;
  config.duration_ms = hours * 3'600'000;
  config.seed = seed;
  config.output = path;
  config.tool_version = "test";
  return Simulate(config);
}

class SimulatedSite : public ::testing::TestWithParam<int> {};

TEST_P(SimulatedSite, PassesCheckAndElectsTheHighestPack) {
  testing::TempDir dir;
  const int packs = GetParam();
  auto summary = RunSite(dir.File("site.db"), packs, 14, 3);  // 05:00 to 19:00 local: resets, sun, Eco
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  auto reader = eventlog::EventReader::Open(dir.File("site.db"));
  ASSERT_TRUE(reader.ok());
  auto report = twin::CheckLog(**reader);
  ASSERT_TRUE(report.ok());
  for (const auto& f : report->findings) ADD_FAILURE() << twin::FindingAsText(f);
  auto state = twin::Rebuild(**reader, {});
  ASSERT_TRUE(state.ok());
  uint8_t highest = 0;
  for (const auto& [node, view] : state->packs) highest = std::max(highest, node);
  EXPECT_EQ(static_cast<int>(state->packs.size()), packs);
  EXPECT_EQ(firmware::ElectMaster(state->fleet.nodes, twin::TwinMs(state->last_wall_ns), 0,
                                  firmware::DeviceType::kEnergyPack),
            highest);
  EXPECT_GT(summary->relay_changes, static_cast<uint64_t>(4 * packs)) << "functions acted, beyond the boot states";
}

INSTANTIATE_TEST_SUITE_P(Packs, SimulatedSite, ::testing::Values(1, 3, 5));

TEST(Simulate, SameSeedSameCaptureOtherSeedOtherCapture) {
  testing::TempDir dir;
  ASSERT_TRUE(RunSite(dir.File("a.db"), 3, 2, 7).ok());
  ASSERT_TRUE(RunSite(dir.File("b.db"), 3, 2, 7).ok());
  ASSERT_TRUE(RunSite(dir.File("c.db"), 3, 2, 8).ok());
  auto head = [&](const std::string& name) {
    auto verify = testing::Packtwin({"verify", dir.File(name), "--json"});
    return nlohmann::json::parse(verify.out)["head"].get<std::string>();
  };
  EXPECT_EQ(head("a.db"), head("b.db"));
  EXPECT_NE(head("a.db"), head("c.db"));
}

TEST(Simulate, RefusesToOverwriteAndRejectsBadArguments) {
  testing::TempDir dir;
  ASSERT_TRUE(RunSite(dir.File("a.db"), 1, 1, 1).ok());
  EXPECT_NE(RunSite(dir.File("a.db"), 1, 1, 1).status().message().find("already exists"), std::string::npos);
  EXPECT_FALSE(RunSite(dir.File("b.db"), 0, 1, 1).ok());
  auto cli = testing::Packtwin({"simulate", "-o", dir.File("c.db"), "--duration", "soon"});
  EXPECT_EQ(cli.exit_code, 64);
}

}  // namespace
}  // namespace packtwin::replay
