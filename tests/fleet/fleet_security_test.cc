// Who may ship and what collect accepts: NATS credentials (user and
// password, .creds in operator mode, TLS) and the sites' block signatures.
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

using testing::AppendFrames;
using testing::ChainHead;
using testing::CollectedLog;
using testing::Digest;
using testing::SmallBlockLog;
using testing::WaitForShippedSeq;
using testing::LastShippedSeq;

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
