// `packtwin dbc` read by a third-party DBC library (Debian's
// python3-canmatrix): every protocol-v1 frame of the shipped captures decodes
// there to the signals packtwin's JSON-lines export gives, which come from the
// firmware's signal table (held to the firmware's decoders by
// can_v1_signals_test).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::SourceDir;
using testing::TempDir;

std::vector<std::string> ShippedCaptures() {
  std::vector<std::string> captures;
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/scenarios/captures")) {
    const std::string path = entry.path().string();
    if (path.ends_with(".log") || path.ends_with(".db")) captures.push_back(path);
  }
  std::sort(captures.begin(), captures.end());
  return captures;
}

TEST(DbcForTools, CanmatrixDecodesEveryFrameOfTheShippedCapturesAsPacktwinDoes) {
  TempDir dir;
  const std::string dbc = dir.File("alfaspark-v1.dbc");
  auto written = Packtwin({"dbc", "-o", dbc});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  std::set<std::string> kinds;
  uint64_t frames = 0;
  for (const std::string& capture : ShippedCaptures()) {
    std::string db = capture;
    if (capture.ends_with(".log")) {
      db = dir.File("capture.db");
      ASSERT_EQ(Packtwin({"import", capture, "-o", db, "--force"}).exit_code, 0) << capture;
    }
    const std::string jsonl = dir.File("capture.jsonl");
    ASSERT_EQ(Packtwin({"export", db, "--format", "jsonl", "-o", jsonl, "--force"}).exit_code, 0) << capture;
    auto decoded = testing::Run({testing::SystemPython(), SourceDir() + "/tests/peers/dbc_decode.py", dbc, jsonl});
    ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
    const auto summary = nlohmann::json::parse(decoded.out);
    EXPECT_GT(summary["frames"].get<uint64_t>(), 0u) << capture;
    EXPECT_TRUE(summary["mismatches"].empty()) << capture << ": " << summary["mismatches"].dump(1);
    frames += summary["frames"].get<uint64_t>();
    for (const auto& [kind, count] : summary["kinds"].items()) kinds.insert(kind);
  }
  EXPECT_GT(frames, 1000u);
  EXPECT_EQ(kinds, (std::set<std::string>{"ACK", "ALARM", "COMMAND", "FLEET", "HEARTBEAT", "RELAY_EVT", "TEL_BATT",
                                          "TEL_LOADS", "TEL_POWER", "TIME"}))
      << "every frame kind of protocol v1 is in the shipped captures";
}

TEST(DbcForTools, EveryFrameIsListedOncePerNodeAndCommandOnceForAll) {
  auto all = Packtwin({"dbc"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  size_t messages = 0;
  for (size_t at = all.out.find("\nBO_ "); at != std::string::npos; at = all.out.find("\nBO_ ", at + 1)) ++messages;
  EXPECT_EQ(messages, 10u * 126u + 1u);
  EXPECT_NE(all.out.find("BO_ 127 COMMAND_ALL: 8 bridge"), std::string::npos);
  EXPECT_NE(all.out.find("BO_ 426 TEL_BATT_2A: 8 pack"), std::string::npos);
  EXPECT_NE(all.out.find(" SG_ pack_V : 0|16@1+ (0.01,0) [0|655.35] \"V\" Vector__XXX"), std::string::npos);
  EXPECT_NE(all.out.find(" SG_ eco_limit_W m17 : 16|16@1+ (1,0) [100|25000] \"W\" Vector__XXX"), std::string::npos);
  EXPECT_NE(all.out.find("VAL_ 1066 cause 7 \"default\" 6 \"manual\""), std::string::npos);
  EXPECT_NE(all.out.find("BA_ \"GenMsgCycleTime\" BO_ 426 2000;"), std::string::npos);
}

TEST(DbcForTools, NodesRestrictTheFileAndABadListIsAUsageError) {
  auto two = Packtwin({"dbc", "--nodes", "0x2A,0x30"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.out.find("TEL_BATT_30"), std::string::npos);
  EXPECT_EQ(two.out.find("TEL_BATT_31"), std::string::npos);
  EXPECT_EQ(two.out.find("COMMAND_ALL"), std::string::npos);
  auto bad = Packtwin({"dbc", "--nodes", "0x2A-"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("--nodes '0x2A-'"), std::string::npos) << bad.err;
  auto none = Packtwin({"dbc", "--nodes", "0x100"});
  EXPECT_EQ(none.exit_code, 64);
  EXPECT_NE(none.err.find("names no node id"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace packtwin
