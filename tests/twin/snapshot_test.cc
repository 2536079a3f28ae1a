// Snapshots: the state from the nearest snapshot equals a fresh fold, at
// random points; rebuilding twice gives identical digests at every snapshot;
// snapshots of another log (or another reducer) are never used.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "packtwin/eventlog/event_writer.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/snapshot_store.h"
#include "test_support.h"

namespace packtwin::twin {
namespace {

constexpr int64_t kT0 = 1795237200'000000000;

v1::Event Frame(int64_t wall_ns, const firmware::CanFrame& f) { return bus::EventFromFirmwareFrame(f, wall_ns); }

// A site of three packs for `cycles` control cycles: telemetry, heartbeats,
// and now and then a relay change, a command and its ACKs.
void WriteSite(const std::string& path, int cycles, uint8_t soc_offset = 0) {
  eventlog::WriterOptions options;
  options.background_commits = false;
  options.durable = false;
  auto writer = eventlog::EventWriter::Create(path, options);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  for (int c = 0; c < cycles; ++c) {
    const int64_t t = kT0 + static_cast<int64_t>(c) * 2'000'000'000;
    for (uint8_t node : {0x2A, 0x3C, 0x51}) {
      const auto soc = static_cast<uint8_t>((c / 7 + node + soc_offset) % 100);
      const auto cv = static_cast<uint16_t>((46400 + soc * 160 + 9) / 10);
      const uint8_t relays = (c / 50) % 2 ? 0x07 : 0x0F;
      if (c % 5 == 0) (void)(*writer)->Append(Frame(t, firmware::EncodeHeartbeat({node, 1, 2, 6, node == 0x51, node})));
      (void)(*writer)->Append(Frame(t + 1000, firmware::EncodeTelBatt({node, cv, 100, soc, relays, 0x03, 0})));
      (void)(*writer)->Append(Frame(t + 2000, firmware::EncodeTelPower({node, 300, 1800, 50, 1550})));
      (void)(*writer)->Append(Frame(t + 3000, firmware::EncodeTelLoads({node, 400, 0, static_cast<uint16_t>(c / 60), 10, 30})));
      if (c % 50 == 0) (void)(*writer)->Append(Frame(t + 4000, firmware::EncodeRelayEvt({node, 3, (c / 50) % 2 ? uint8_t{0} : uint8_t{1}, 2, relays})));
    }
    if (c % 97 == 0) {
      (void)(*writer)->Append(Frame(t + 5000, firmware::EncodeCommand({0x7F, 0x16, static_cast<uint8_t>(c), 0, {}})));
      for (uint8_t node : {0x2A, 0x3C, 0x51}) {
        (void)(*writer)->Append(Frame(t + 6000, firmware::EncodeAck({node, 0x16, static_cast<uint8_t>(c), 0})));
      }
    }
  }
  ASSERT_TRUE((*writer)->Close().ok());
}

uint64_t FreshDigest(eventlog::EventReader& reader, const RebuildLimit& limit) {
  auto state = Rebuild(reader, limit);
  EXPECT_TRUE(state.ok());
  return TwinDigest(*state);
}

TEST(Snapshots, StateFromSnapshotsEqualsAFreshFoldAtRandomPoints) {
  testing::TempDir dir;
  const std::string db = dir.File("site.db");
  WriteSite(db, 5000);
  auto reader = eventlog::EventReader::Open(db);
  ASSERT_TRUE(reader.ok());
  auto store = SnapshotStore::Open(db);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto counts = (*reader)->Counts();
  std::mt19937 random(5);
  for (int round = 0; round < 2; ++round) {  // the second round starts from the snapshots the first left
    for (int i = 0; i < 15; ++i) {
      RebuildLimit limit;
      if (i % 2 == 0) {
        limit.last_seq = std::uniform_int_distribution<uint64_t>(1, counts->last_seq)(random);
      } else {
        limit.last_wall_ns = std::uniform_int_distribution<int64_t>(counts->first_wall_ns, counts->last_wall_ns)(random);
      }
      auto fast = RebuildFromSnapshots(**reader, **store, limit, 1000);
      ASSERT_TRUE(fast.ok()) << fast.status().message();
      EXPECT_EQ(TwinDigest(*fast), FreshDigest(**reader, limit)) << "round " << round << " point " << i;
    }
  }
  auto all = (*store)->All();
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->size(), 10u);
}

TEST(Snapshots, RebuildingTwiceGivesIdenticalDigestsAtEverySnapshot) {
  testing::TempDir dir;
  const std::string db = dir.File("site.db");
  WriteSite(db, 3000);
  auto reader = eventlog::EventReader::Open(db);
  ASSERT_TRUE(reader.ok());
  std::vector<uint64_t> digests[2];
  for (int build = 0; build < 2; ++build) {
    std::filesystem::remove(db + ".twin");
    auto store = SnapshotStore::Open(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(RebuildFromSnapshots(**reader, **store, {}, 500).ok());
    auto all = (*store)->All();
    ASSERT_TRUE(all.ok());
    for (const auto& s : *all) digests[build].push_back(s.digest);
  }
  ASSERT_GT(digests[0].size(), 20u);
  EXPECT_EQ(digests[0], digests[1]);
}

TEST(Snapshots, SnapshotsOfAnotherLogAreNotUsed) {
  testing::TempDir dir;
  const std::string db = dir.File("site.db");
  WriteSite(db, 2000);
  {
    auto reader = eventlog::EventReader::Open(db);
    auto store = SnapshotStore::Open(db);
    ASSERT_TRUE(RebuildFromSnapshots(**reader, **store, {}, 500).ok());
  }
  // The log is replaced by a different one; its sidecar stays behind.
  std::filesystem::remove(db);
  WriteSite(db, 2000, 17);
  auto reader = eventlog::EventReader::Open(db);
  auto store = SnapshotStore::Open(db);
  auto fast = RebuildFromSnapshots(**reader, **store, {}, 500);
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(TwinDigest(*fast), FreshDigest(**reader, {}));
}

TEST(Snapshots, SnapshotsOfAnotherReducerVersionAreNotUsed) {
  testing::TempDir dir;
  const std::string db = dir.File("site.db");
  WriteSite(db, 1000);
  {
    auto reader = eventlog::EventReader::Open(db);
    auto store = SnapshotStore::Open(db);
    ASSERT_TRUE(RebuildFromSnapshots(**reader, **store, {}, 500).ok());
  }
  // Pretend every snapshot came from other reducers.
  testing::Run({"sqlite3", db + ".twin", "UPDATE snapshots SET reducer = 'older-reducers'"});
  auto store = SnapshotStore::Open(db);
  auto latest = (*store)->LatestAtOrBefore(UINT64_MAX);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

TEST(Snapshots, StateEncodingRoundTrips) {
  TwinState state;
  state.events = 7;
  state.last_seq = 7;
  state.fleet.master = 0x51;
  state.packs[0x2A].soc = 35;
  state.packs[0x2A].relay[3] = {true, false, 2, 6};
  auto back = DecodeTwinState(EncodeTwinState(state));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(TwinDigest(*back), TwinDigest(state));
  EXPECT_FALSE(DecodeTwinState("garbage").has_value());
  std::string cut = EncodeTwinState(state);
  cut.pop_back();
  EXPECT_FALSE(DecodeTwinState(cut).has_value());
  EXPECT_FALSE(ReducerVersion().empty());
}

}  // namespace
}  // namespace packtwin::twin
