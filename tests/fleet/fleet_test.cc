// ship and collect against real nats-server processes (Debian's 2.9):
// a 3-node JetStream cluster started by the test on free 127.0.0.1 ports,
// and a bridge's leaf node whose link is cut.
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

TEST(Fleet, SitesShippedConcurrentlyAreCollectedAsTheSameLogs) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  constexpr int kSites = 20;
  for (int i = 0; i < kSites; ++i) SmallBlockLog(dir.File("site" + std::to_string(i) + ".db"), "site-" + std::to_string(i), "2h", 2000);
  std::vector<std::unique_ptr<testing::Child>> shippers;
  for (int i = 0; i < kSites; ++i) {
    shippers.push_back(std::make_unique<testing::Child>(std::vector<std::string>{
        testing::PacktwinBinary(), "ship", dir.File("site" + std::to_string(i) + ".db"), "--to", cluster.Url(), "--replicas", "3"}));
  }
  for (auto& shipper : shippers) {
    auto done = shipper->Wait(120'000);
    ASSERT_EQ(done.exit_code, 0) << done.err;
  }
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  const auto summary = nlohmann::json::parse(collected.out);
  EXPECT_EQ(summary["sites"].size(), static_cast<size_t>(kSites));
  EXPECT_EQ(summary["duplicates"], 0);
  for (int i = 0; i < kSites; ++i) {
    const std::string source = dir.File("site" + std::to_string(i) + ".db");
    const std::string copy = CollectedLog(dir.File("out"), "site-" + std::to_string(i));
    ASSERT_FALSE(copy.empty()) << "site-" << i << " not collected";
    EXPECT_EQ(ChainHead(copy), ChainHead(source));
    EXPECT_EQ(Digest(copy), Digest(source));
  }
}

TEST(Fleet, AResendIsStoredOnceAndShippingResumesWhereTheStreamEnds) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("a.db"), "alpha", "20m", 400);
  auto first = Packtwin({"ship", dir.File("a.db"), "--to", cluster.Url(), "--replicas", "3", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto shipped = nlohmann::json::parse(first.out);
  ASSERT_GT(shipped["blocks"].get<int>(), 10);
  auto again = Packtwin({"ship", dir.File("a.db"), "--to", cluster.Url(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto resent = nlohmann::json::parse(again.out);
  EXPECT_EQ(resent["blocks"], 0) << "the stream held it all: nothing to send";
  EXPECT_EQ(resent["resumed_after_seq"], shipped["events"]);
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  EXPECT_EQ(nlohmann::json::parse(collected.out)["blocks"], shipped["blocks"]);
}

TEST(Fleet, AShipperKilledAtRandomMomentsLosesAndDuplicatesNothing) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("k.db"), "kilo", "2h", 100);
  std::mt19937 random(7);
  for (int round = 0; round < 10; ++round) {
    testing::Child shipper({testing::PacktwinBinary(), "ship", dir.File("k.db"), "--to", cluster.Url(), "--replicas", "3"});
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + random() % 150));
    shipper.Signal(SIGKILL);
    shipper.Wait(10'000);
  }
  auto last = Packtwin({"ship", dir.File("k.db"), "--to", cluster.Url(), "--json"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  const auto summary = nlohmann::json::parse(collected.out);
  EXPECT_EQ(summary["duplicates"], 0) << "a killed shipper's resend must be stored once";
  const std::string copy = CollectedLog(dir.File("out"), "kilo");
  EXPECT_EQ(ChainHead(copy), ChainHead(dir.File("k.db")));
}

TEST(Fleet, ShippingAndCollectingGoOnWhenOneServerOfTheClusterIsKilled) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("s.db"), "sierra", "2h", 100);
  testing::Child shipper({testing::PacktwinBinary(), "ship", dir.File("s.db"), "--to", cluster.Url(), "--replicas", "3"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  testing::Child collector({testing::PacktwinBinary(), "collect", "--from", cluster.Url(), "--out", dir.File("out"),
                            "--replicas", "3", "--idle-exit", "3s"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  cluster.Kill(0);
  collector.Wait(120'000);  // it may stop with the server it was reading from; the next run goes on
  auto shipped = shipper.Wait(120'000);
  // A publish in flight when the server died may fail, and while the two
  // servers left elect new stream leaders JetStream answers "temporarily
  // unavailable" (10008): the next runs go on, as an operator's would.
  const auto until_it_goes = [](const std::vector<std::string>& args, const std::string& before) {
    testing::CommandResult result;
    for (int attempt = 0; attempt < 10; ++attempt) {
      result = Packtwin(args);
      if (result.exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    EXPECT_EQ(result.exit_code, 0) << before << result.err;
  };
  if (shipped.exit_code != 0) until_it_goes({"ship", dir.File("s.db"), "--to", cluster.Url()}, shipped.err);
  until_it_goes({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "3s"}, "");
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "sierra")), ChainHead(dir.File("s.db")));
}

TEST(Fleet, ABlockThatBreaksTheChainQuarantinesItsSiteAndTheOthersGoOn) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("good.db"), "good", "20m", 1000);
  SmallBlockLog(dir.File("bad.db"), "bad", "20m", 1000);
  ASSERT_EQ(Packtwin({"ship", dir.File("good.db"), "--to", cluster.Url()}).exit_code, 0);
  // Forge the bad site's messages: its second block's records are changed.
  auto file = eventlog::BlockFile::Open(dir.File("bad.db"));
  ASSERT_TRUE(file.ok());
  auto blocks = (*file)->BlocksAfter(0, 3);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 3u);
  auto spec = fleet::ParseNatsUrl(cluster.Url());
  ASSERT_TRUE(spec.ok());
  auto link = fleet::NatsLink::Connect(*spec);
  ASSERT_TRUE(link.ok()) << link.status().message();
  ASSERT_TRUE((*link)->EnsureBlockStream(1).ok());
  auto sources = (*file)->Sources();
  const std::string capture = fleet::CaptureId(blocks->front());
  uint64_t subject_seq = 0;
  for (size_t i = 0; i < blocks->size(); ++i) {
    eventlog::StoredBlock block = (*blocks)[i];
    if (i == 1) block.body[block.body.size() - 1] ^= 0x01;
    const std::string data = fleet::EncodeBlockMessage({"bad", capture, block, *sources, {}, "", ""});
    auto published = (*link)->Publish(fleet::BlockSubject("bad"), data, fleet::BlockMessageId("bad", capture, block.first_seq), subject_seq);
    ASSERT_TRUE(published.ok()) << published.status().message();
    subject_seq = published->stream_seq;
  }
  // And a message that is no packtwin block at all, on a site's subject.
  auto junk = (*link)->Publish(fleet::BlockSubject("junk"), "hello, not a block", "junk-1", std::nullopt);
  ASSERT_TRUE(junk.ok()) << junk.status().message();
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  EXPECT_EQ(collected.exit_code, 2) << collected.err;
  const auto summary = nlohmann::json::parse(collected.out);
  EXPECT_EQ(summary["not_blocks"], 1);
  EXPECT_NE(collected.err.find("packtwin.site.junk.blocks: 18 bytes that are not a packtwin block message; dropped"),
            std::string::npos)
      << collected.err;
  const std::string why = summary["sites"]["bad"]["quarantined"];
  EXPECT_NE(why.find("block seq " + std::to_string((*blocks)[1].first_seq)), std::string::npos) << why;
  EXPECT_NE(collected.err.find("site bad quarantined at seq " + std::to_string((*blocks)[1].first_seq)), std::string::npos)
      << collected.err;
  EXPECT_EQ(summary["sites"]["bad"]["blocks"], 1) << "only the block before the break is merged";
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "good")), ChainHead(dir.File("good.db")));
}

TEST(Fleet, ACollectorKilledMidRunLosesAndDuplicatesNothing) {
  NatsCluster cluster(3);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("c.db"), "charlie", "2h", 50);
  auto shipped = Packtwin({"ship", dir.File("c.db"), "--to", cluster.Url(), "--replicas", "3"});
  ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  std::mt19937 random(11);
  for (int round = 0; round < 4; ++round) {
    testing::Child collector({testing::PacktwinBinary(), "collect", "--from", cluster.Url(), "--out", dir.File("out"),
                              "--idle-exit", "5s"});
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 300));
    collector.Signal(SIGKILL);
    collector.Wait(10'000);
  }
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  const std::string copy = CollectedLog(dir.File("out"), "charlie");
  EXPECT_EQ(ChainHead(copy), ChainHead(dir.File("c.db"))) << "every block once, in order";
  EXPECT_EQ(Digest(copy), Digest(dir.File("c.db")));
}

TEST(Fleet, AStreamOfAnotherConfigurationAndATokenServerGetClearAnswers) {
  NatsCluster cluster(1, "", "authorization {\n  token: \"fleet-token\"\n}\n");
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("t.db"), "tango", "10m", 1000);
  auto without = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url()});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.err.find("give the credentials this server expects"), std::string::npos) << without.err;
  auto wrong = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url(), "--token", "guess"});
  EXPECT_EQ(wrong.exit_code, 1);
  // Someone else's stream already has the name, for other subjects.
  auto spec = fleet::ParseNatsUrl(cluster.Url());
  ASSERT_TRUE(spec.ok());
  spec->token = "fleet-token";
  {
    auto link = fleet::NatsLink::Connect(*spec);
    ASSERT_TRUE(link.ok()) << link.status().message();
    ASSERT_TRUE((*link)->EnsureStream({fleet::kBlockStream, "elsewhere.>", false, 1}).ok());
  }
  auto other = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url(), "--token", "fleet-token"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("stream PACKTWIN_BLOCKS exists with another configuration"), std::string::npos) << other.err;
  auto in_url = Packtwin({"collect", "--from", "nats://fleet-token@" + cluster.Url().substr(7), "--out", dir.File("out"),
                          "--idle-exit", "1s"});
  EXPECT_EQ(in_url.exit_code, 1) << "the token is taken from the URL; the stream is still not ours\n" << in_url.err;
  EXPECT_NE(in_url.err.find("another configuration"), std::string::npos) << in_url.err;
}

TEST(Fleet, ACollectorRunAgainRecognisesBlocksItHoldsAndSkipsThem) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("r.db"), "romeo", "20m", 500);
  ASSERT_EQ(Packtwin({"ship", dir.File("r.db"), "--to", cluster.Url()}).exit_code, 0);
  auto first = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "1s", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // Another consumer name: the stream delivers every block again into the same directory.
  auto again = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--durable", "second", "--idle-exit", "1s", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto summary = nlohmann::json::parse(again.out);
  EXPECT_EQ(summary["blocks"], 0);
  EXPECT_EQ(summary["duplicates"], nlohmann::json::parse(first.out)["blocks"]);
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "romeo")), ChainHead(dir.File("r.db")));
}

TEST(Fleet, BadAddressesSiteNamesAndBlocksTooBigGetClearErrors) {
  TempDir dir;
  SmallBlockLog(dir.File("x.db"), "xray", "10m", 100000);
  auto nobody = Packtwin({"ship", dir.File("x.db"), "--to", "nats://127.0.0.1:" + std::to_string(testing::FreeTcpPort())});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.err.find("is nats-server running there"), std::string::npos) << nobody.err;
  auto not_url = Packtwin({"ship", dir.File("x.db"), "--to", "nats://localhost"});
  EXPECT_EQ(not_url.exit_code, 64);
  EXPECT_NE(not_url.err.find("is not HOST:PORT"), std::string::npos) << not_url.err;
  NatsCluster small(1, "64KB");
  REQUIRE_CLUSTER(small);
  auto bad_site = Packtwin({"ship", dir.File("x.db"), "--to", small.Url(), "--site", "a.b"});
  EXPECT_EQ(bad_site.exit_code, 1);
  EXPECT_NE(bad_site.err.find("cannot be part of a NATS subject token"), std::string::npos) << bad_site.err;
  auto too_big = Packtwin({"ship", dir.File("x.db"), "--to", small.Url()});
  EXPECT_EQ(too_big.exit_code, 1);
  EXPECT_NE(too_big.err.find("(max_payload)"), std::string::npos) << too_big.err;
}

TEST(Fleet, ShipFollowShipsALogWhileItIsWrittenAndEndsWhenItIsClosed) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  const std::string path = dir.File("live.db");
  eventlog::WriterOptions options;
  options.site = "live";
  options.tool_version = "test";
  options.commit_interval_ms = 20;  // as record commits: small blocks while it runs
  auto writer = eventlog::EventWriter::Create(path, options);
  ASSERT_TRUE(writer.ok());
  testing::Child shipper({testing::PacktwinBinary(), "ship", path, "--to", cluster.Url(), "--follow", "--json"});
  AppendFrames(**writer, 0, 3000);
  ASSERT_TRUE((*writer)->SetMeta(eventlog::meta_key::kStoppedNs, "4000000000").ok());
  ASSERT_TRUE((*writer)->Close().ok());
  auto shipped = shipper.Wait(60'000);
  ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  const auto summary = nlohmann::json::parse(shipped.out);
  EXPECT_GT(summary["blocks"].get<int>(), 3) << "blocks went out as they were committed";
  EXPECT_EQ(summary["events"], 3000);
  EXPECT_EQ(summary["pending_blocks"], 0);
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "live")), ChainHead(path));
}

TEST(Fleet, RecordShipRecordsAndShipsInOneProcess) {
  NatsCluster cluster(1);
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  const std::string listen = "127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  const std::string target = "127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  auto recorded = Packtwin({"record", "-o", dir.File("rec.db"), "--site", "bench-7", "--modbus-tcp-proxy", listen + "=" + target,
                            "--duration", "1s", "--quiet", "--ship", cluster.Url()});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_NE(recorded.err.find("as site bench-7"), std::string::npos) << recorded.err;
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  const std::string copy = CollectedLog(dir.File("out"), "bench-7");
  ASSERT_FALSE(copy.empty()) << collected.out;
  EXPECT_EQ(ChainHead(copy), ChainHead(dir.File("rec.db")));
}


TEST(Fleet, ALeafNodeKeepsShippingWhileItsLinkIsCutAndTheHubGetsEveryBlockOnceInOrder) {
  NatsCluster hub(3);
  REQUIRE_CLUSTER(hub);
  testing::CuttableLink uplink(hub.LeafPort(0));
  testing::NatsLeaf leaf("bridge7", {"nats-leaf://127.0.0.1:" + std::to_string(uplink.port())});
  ASSERT_TRUE(leaf.ready()) << leaf.why_not_ready();
  ASSERT_TRUE(leaf.WaitForLinks(1, 10'000)) << "the leaf node never reached the hub";
  auto added = Packtwin({"fleet", "add-leaf", "bridge7", "--from", hub.Url(), "--replicas", "3"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("now sources the blocks of leaf domain bridge7"), std::string::npos) << added.out;
  auto again = Packtwin({"fleet", "add-leaf", "bridge7", "--from", hub.Url()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already sources"), std::string::npos) << again.out;

  TempDir dir;
  // A site that ships to the hub directly: the hub's stream sequences are
  // then not the leaf's, as in any fleet.
  SmallBlockLog(dir.File("direct.db"), "direct", "10m", 2000);
  auto direct = Packtwin({"ship", dir.File("direct.db"), "--to", hub.Url()});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  const std::string path = dir.File("bridge.db");
  eventlog::WriterOptions options;
  options.site = "seven";
  options.tool_version = "test";
  options.commit_interval_ms = 20;
  auto writer = eventlog::EventWriter::Create(path, options);
  ASSERT_TRUE(writer.ok());
  testing::Child shipper({testing::PacktwinBinary(), "ship", path, "--to", leaf.Url(), "--leaf", "--follow", "--json"});
  AppendFrames(**writer, 0, 1000);
  ASSERT_TRUE(WaitForShippedSeq(hub.Url(), "seven", 1000, 30'000)) << "the hub sources the leaf while the link is up";

  uplink.Cut();
  AppendFrames(**writer, 1000, 1000);
  ASSERT_TRUE(WaitForShippedSeq(leaf.Url(), "seven", 2000, 30'000)) << "the leaf acknowledges while the link is down";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_LE(LastShippedSeq(hub.Url(), "seven"), 1000u) << "nothing reaches the hub through a cut link";

  uplink.Restore();
  AppendFrames(**writer, 2000, 1000);
  ASSERT_TRUE((*writer)->SetMeta(eventlog::meta_key::kStoppedNs, "4000000000").ok());
  ASSERT_TRUE((*writer)->Close().ok());
  auto shipped = shipper.Wait(60'000);
  ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  const auto summary = nlohmann::json::parse(shipped.out);
  EXPECT_EQ(summary["events"], 3000);
  ASSERT_TRUE(WaitForShippedSeq(hub.Url(), "seven", 3000, 60'000)) << "the hub catches up once the link is back";

  auto collected = Packtwin({"collect", "--from", hub.Url(), "--out", dir.File("out"), "--idle-exit", "2s", "--json"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err << collected.out;
  const auto at_hub = nlohmann::json::parse(collected.out);
  EXPECT_EQ(at_hub["sites"]["seven"]["blocks"], summary["blocks"]) << "every block once";
  EXPECT_EQ(at_hub["duplicates"], 0);
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "seven")), ChainHead(path)) << "in order: the chain holds";
}

// The field-defect captures that ship with the repo, each as its own site.
}  // namespace
}  // namespace packtwin
