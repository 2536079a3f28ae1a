// ship and collect against real nats-server processes (Debian's 2.9):
// a 3-node JetStream cluster started by the test on free 127.0.0.1 ports.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "nats_cluster.h"
#include "nats_creds.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/fleet/block_message.h"
#include "packtwin/fleet/nats_link.h"
#include "packtwin/fleet/site_key.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::NatsCluster;
using testing::Packtwin;
using testing::TempDir;

// A simulated site log re-written with `per_block` events a block, so
// shipping it takes many messages (a recorder commits every 100 ms).
void SmallBlockLog(const std::string& path, const std::string& site, const std::string& duration, size_t per_block) {
  const std::string simulated = path + ".sim.db";
  auto made = Packtwin({"simulate", "--packs", "2", "--duration", duration, "--site", site, "-o", simulated, "--force"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto reader = eventlog::EventReader::Open(simulated);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  eventlog::WriterOptions options;
  options.site = site;
  options.tool_version = "test";
  options.background_commits = false;
  options.durable = false;
  options.max_batch_events = per_block;
  auto writer = eventlog::EventWriter::Create(path, options);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  Status copied = eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    auto seq = (*writer)->Append(event);
    if (!seq.ok()) return seq.status();
    return true;
  });
  ASSERT_TRUE(copied.ok()) << copied.message();
  ASSERT_TRUE((*writer)->Close().ok());
  std::filesystem::remove(simulated);
}

// Events of a live recording: CAN frames 1 ms apart from `from`.
void AppendFrames(eventlog::EventWriter& writer, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    v1::Event event;
    event.set_wall_time_ns(1'000'000'000LL + i * 1'000'000LL);
    event.set_capture_time_ns(event.wall_time_ns());
    event.set_source("can0");
    event.mutable_can_frame()->set_id(0x100u + static_cast<uint32_t>(i % 16));
    event.mutable_can_frame()->set_data(std::string(8, static_cast<char>(i)));
    ASSERT_TRUE(writer.Append(event).ok());
    if (i % 200 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
}

std::string ChainHead(const std::string& db) {
  auto verified = Packtwin({"verify", db, "--json"});
  if (verified.exit_code != 0) return "verify exit " + std::to_string(verified.exit_code) + ": " + verified.out + verified.err;
  return nlohmann::json::parse(verified.out)["head"];
}

std::string Digest(const std::string& db) {
  auto digest = Packtwin({"digest", db});
  return digest.exit_code == 0 ? digest.out.substr(0, digest.out.find(' ')) : "digest failed: " + digest.err;
}

// The one collected capture of `site` under `dir`.
std::string CollectedLog(const std::string& dir, const std::string& site) {
  std::string found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/" + site, ec)) {
    if (entry.path().extension() == ".db") found = entry.path().string();
  }
  return found;
}

#define REQUIRE_CLUSTER(cluster) \
  ASSERT_TRUE((cluster).ready()) << (cluster).why_not_ready()

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
  if (shipped.exit_code != 0) {
    // A publish in flight when the server died may fail; the next run goes on.
    auto again = Packtwin({"ship", dir.File("s.db"), "--to", cluster.Url()});
    ASSERT_EQ(again.exit_code, 0) << shipped.err << again.err;
  }
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--out", dir.File("out"), "--idle-exit", "3s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
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
  ASSERT_EQ(Packtwin({"ship", dir.File("c.db"), "--to", cluster.Url(), "--replicas", "3"}).exit_code, 0);
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

// The last event seq the block stream at `url` holds of `site` (0: none).
uint64_t LastShippedSeq(const std::string& url, const std::string& site) {
  auto spec = fleet::ParseNatsUrl(url);
  auto link = fleet::NatsLink::Connect(*spec);
  if (!link.ok()) return 0;
  auto last = (*link)->LastOnSubject(fleet::BlockSubject(site));
  if (!last.ok() || !last->has_value()) return 0;
  auto message = fleet::DecodeBlockMessage((*last)->data);
  return message.ok() ? message->block.last_seq : 0;
}

bool WaitForShippedSeq(const std::string& url, const std::string& site, uint64_t seq, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (LastShippedSeq(url, site) >= seq) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
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
  testing::Child first({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--name", "w1", "--idle-exit", "5s"});
  testing::Child second({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--name", "w2", "--idle-exit", "5s"});
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
  testing::Child worker({testing::PacktwinBinary(), "fleet", "worker", "--from", cluster.Url(), "--idle-exit", "5s"});
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

TEST(Fleet, AClientWithoutCredentialsOrWithAnotherSitesIsRefused) {
  // The shipped example: site-north may publish only north's blocks.
  NatsCluster cluster(1, "", testing::ReadFile(testing::SourceDir() + "/deploy/nats/auth.conf.example"));
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("n.db"), "north", "10m", 1000);
  const std::string host = cluster.Url().substr(std::string("nats://").size());
  auto anonymous = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url()});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("give the credentials this server expects"), std::string::npos) << anonymous.err;
  auto other_site = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url(), "--user", "site-north", "--password",
                              "north-secret", "--site", "south"});
  EXPECT_EQ(other_site.exit_code, 1);
  EXPECT_NE(other_site.err.find("refused by the server"), std::string::npos) << other_site.err;
  auto own = Packtwin({"ship", dir.File("n.db"), "--to", "nats://site-north:north-secret@" + host});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--user", "central", "--password", "central-secret", "--out",
                             dir.File("out"), "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "north")), ChainHead(dir.File("n.db")));
  auto site_collects = Packtwin({"collect", "--from", cluster.Url(), "--user", "site-north", "--password", "north-secret",
                                 "--out", dir.File("out2"), "--idle-exit", "1s"});
  EXPECT_EQ(site_collects.exit_code, 1) << "a site's credentials cannot read the fleet's blocks\n" << site_collects.err;
}

// A CA and a certificate for 127.0.0.1 signed by it, made with openssl.
void MakeCertificates(const TempDir& dir, const std::string& ca_name) {
  auto run = [](const std::vector<std::string>& argv) {
    auto result = testing::Run(argv);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  };
  const std::string ca = dir.File(ca_name);
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca + ".key",
       "-out", ca + ".pem", "-days", "2", "-subj", "/CN=" + ca_name});
  run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca + "-server.key", "-out",
       ca + "-server.csr", "-subj", "/CN=127.0.0.1"});
  testing::WriteFile(ca + "-ext.cnf", "subjectAltName=IP:127.0.0.1\n");
  run({"openssl", "x509", "-req", "-in", ca + "-server.csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-out",
       ca + "-server.pem", "-days", "2", "-extfile", ca + "-ext.cnf"});
}

TEST(Fleet, TlsWithTheServersCaConnectsAndWithoutItTheClientIsToldWhy) {
  TempDir certs;
  MakeCertificates(certs, "site-ca");
  MakeCertificates(certs, "other-ca");
  NatsCluster cluster(1, "",
                      "tls {\n  cert_file: \"" + certs.File("site-ca-server.pem") + "\"\n  key_file: \"" +
                          certs.File("site-ca-server.key") + "\"\n}\n");
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  SmallBlockLog(dir.File("t.db"), "tango", "10m", 1000);
  auto plain = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url()});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_NE(plain.err.find("give --tls-ca with the CA that signed it"), std::string::npos) << plain.err;
  auto wrong_ca = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url(), "--tls-ca", certs.File("other-ca.pem")});
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_NE(wrong_ca.err.find("the CA that signed the server's certificate?"), std::string::npos) << wrong_ca.err;
  auto shipped = Packtwin({"ship", dir.File("t.db"), "--to", cluster.Url(), "--tls-ca", certs.File("site-ca.pem")});
  ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--tls-ca", certs.File("site-ca.pem"), "--out", dir.File("out"),
                             "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "tango")), ChainHead(dir.File("t.db")));
}

TEST(Fleet, CredsFilesOfAnOperatorModeServerLetASiteShipOnlyItsOwnBlocks) {
  TempDir dir;
  testing::NatsOperator nats_operator(dir.path());
  NatsCluster cluster(1, "", nats_operator.ServerConfig());
  REQUIRE_CLUSTER(cluster);
  // As deploy/nats/auth.conf.example, in JWTs: the site publishes its own
  // subject and the JetStream calls ship makes; the centre may do anything.
  nats_operator.WriteCreds(dir.File("north.creds"), "site-north",
                           {"packtwin.site.north.blocks", "$JS.API.INFO", "$JS.API.STREAM.INFO.PACKTWIN_BLOCKS",
                            "$JS.API.STREAM.CREATE.PACKTWIN_BLOCKS", "$JS.API.STREAM.MSG.GET.PACKTWIN_BLOCKS"},
                           {"_INBOX.>"});
  nats_operator.WriteCreds(dir.File("central.creds"), "central", {}, {});
  SmallBlockLog(dir.File("n.db"), "north", "10m", 1000);
  auto anonymous = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url()});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("give the credentials this server expects"), std::string::npos) << anonymous.err;
  auto other_site = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url(), "--creds", dir.File("north.creds"), "--site", "south"});
  EXPECT_EQ(other_site.exit_code, 1);
  EXPECT_NE(other_site.err.find("refused by the server"), std::string::npos) << other_site.err;
  auto own = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url(), "--creds", dir.File("north.creds")});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  auto site_collects = Packtwin({"collect", "--from", cluster.Url(), "--creds", dir.File("north.creds"), "--out", dir.File("out2"),
                                 "--idle-exit", "1s"});
  EXPECT_EQ(site_collects.exit_code, 1) << "a site's credentials cannot read the fleet's blocks\n" << site_collects.err;
  auto collected = Packtwin({"collect", "--from", cluster.Url(), "--creds", dir.File("central.creds"), "--out", dir.File("out"),
                             "--idle-exit", "1s"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "north")), ChainHead(dir.File("n.db")));
  auto missing = Packtwin({"ship", dir.File("n.db"), "--to", cluster.Url(), "--creds", dir.File("nowhere.creds")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nowhere.creds"), std::string::npos) << missing.err;
}

TEST(FleetSiteKey, ASignatureCoversSiteCaptureSeqRangeAndHashAndNothingElseVerifies) {
  TempDir dir;
  ASSERT_TRUE(fleet::SiteKey::Generate(dir.File("a.key"), dir.File("a.pub"), false).ok());
  ASSERT_TRUE(fleet::SiteKey::Generate(dir.File("b.key"), dir.File("b.pub"), false).ok());
  EXPECT_FALSE(fleet::SiteKey::Generate(dir.File("a.key"), dir.File("a.pub"), false).ok());
  auto a = fleet::SiteKey::LoadPrivate(dir.File("a.key"));
  auto a_pub = fleet::SiteKey::LoadPublic(dir.File("a.pub"));
  auto b_pub = fleet::SiteKey::LoadPublic(dir.File("b.pub"));
  ASSERT_TRUE(a.ok() && a_pub.ok() && b_pub.ok());
  EXPECT_EQ((*a)->id(), (*a_pub)->id());
  EXPECT_NE((*a)->id(), (*b_pub)->id());
  const std::string hash(32, '\x5a');
  const std::string bytes = fleet::SignedBlockBytes("north", "0123456789abcdef", 1, 100, hash);
  auto signature = (*a)->Sign(bytes);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE((*a_pub)->Verify(bytes, *signature));
  EXPECT_FALSE((*b_pub)->Verify(bytes, *signature)) << "another site's key";
  EXPECT_FALSE((*a_pub)->Verify(fleet::SignedBlockBytes("south", "0123456789abcdef", 1, 100, hash), *signature));
  EXPECT_FALSE((*a_pub)->Verify(fleet::SignedBlockBytes("north", "0123456789abcdee", 1, 100, hash), *signature));
  EXPECT_FALSE((*a_pub)->Verify(fleet::SignedBlockBytes("north", "0123456789abcdef", 2, 100, hash), *signature));
  EXPECT_FALSE((*a_pub)->Verify(fleet::SignedBlockBytes("north", "0123456789abcdef", 1, 101, hash), *signature));
  EXPECT_FALSE((*a_pub)->Verify(fleet::SignedBlockBytes("north", "0123456789abcdef", 1, 100, std::string(32, '\x5b')), *signature));
  EXPECT_FALSE((*a_pub)->Verify(bytes, signature->substr(1))) << "a short signature";
  EXPECT_FALSE((*a_pub)->Verify(bytes, "")) << "none";
  testing::WriteFile(dir.File("junk.pub"), "not a key");
  auto junk = fleet::SiteKey::LoadPublic(dir.File("junk.pub"));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a PEM public key"), std::string::npos) << junk.status().message();
  auto swapped = fleet::SiteKey::LoadPrivate(dir.File("a.pub"));
  EXPECT_FALSE(swapped.ok()) << "a public key is no private key";
}

TEST(Fleet, CollectRefusesBlocksNotSignedByTheirSitesRegisteredKeyEvenWithValidCredentials) {
  NatsCluster cluster(1, "", testing::ReadFile(testing::SourceDir() + "/deploy/nats/auth.conf.example"));
  REQUIRE_CLUSTER(cluster);
  TempDir dir;
  const std::string keys = dir.File("keys");
  std::filesystem::create_directories(keys);
  for (const std::string site : {"north", "south", "east", "west"}) {
    auto made = Packtwin({"keygen", dir.File(site)});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    std::filesystem::copy_file(dir.File(site + ".pub"), keys + "/" + site + ".pub");
  }
  auto mallory = Packtwin({"keygen", dir.File("mallory")});
  ASSERT_EQ(mallory.exit_code, 0) << mallory.err;
  auto kept = Packtwin({"keygen", dir.File("north")});
  EXPECT_EQ(kept.exit_code, 1) << "keygen never replaces a site's key silently";
  SmallBlockLog(dir.File("n.db"), "north", "10m", 1000);
  SmallBlockLog(dir.File("e.db"), "east", "10m", 1000);
  SmallBlockLog(dir.File("w.db"), "west", "10m", 1000);
  const std::string host = cluster.Url().substr(std::string("nats://").size());
  const std::string central = "nats://central:central-secret@" + host;
  // The genuine bridge: its own credentials, its own key.
  auto genuine = Packtwin({"ship", dir.File("n.db"), "--to", "nats://site-north:north-secret@" + host, "--key", dir.File("north.key")});
  ASSERT_EQ(genuine.exit_code, 0) << genuine.err;
  // Valid credentials, wrong keys: north's log replayed as south, a log signed elsewhere as east, an unsigned west.
  auto replayed = Packtwin({"ship", dir.File("n.db"), "--to", central, "--site", "south", "--key", dir.File("north.key")});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  auto forged = Packtwin({"ship", dir.File("e.db"), "--to", central, "--key", dir.File("mallory.key")});
  ASSERT_EQ(forged.exit_code, 0) << forged.err;
  auto unsigned_log = Packtwin({"ship", dir.File("w.db"), "--to", central});
  ASSERT_EQ(unsigned_log.exit_code, 0) << unsigned_log.err;

  auto collected = Packtwin({"collect", "--from", central, "--keys", keys, "--out", dir.File("out"), "--idle-exit", "1s", "--json"});
  EXPECT_EQ(collected.exit_code, 2) << collected.err;
  const auto summary = nlohmann::json::parse(collected.out);
  EXPECT_EQ(summary["sites"]["north"]["quarantined"], "");
  EXPECT_EQ(ChainHead(CollectedLog(dir.File("out"), "north")), ChainHead(dir.File("n.db")));
  for (const std::string site : {"south", "east"}) {
    const std::string why = summary["sites"][site]["quarantined"];
    EXPECT_NE(why.find("block seq 1 to 1000: the signature does not verify against"), std::string::npos) << site << ": " << why;
    EXPECT_NE(collected.err.find("site " + site + " quarantined at seq 1"), std::string::npos) << collected.err;
    EXPECT_EQ(summary["sites"][site]["blocks"], 0) << "nothing of a refused site is merged";
  }
  EXPECT_NE(summary["sites"]["west"]["quarantined"].get<std::string>().find("is not signed"), std::string::npos) << collected.out;
}

}  // namespace
}  // namespace packtwin
