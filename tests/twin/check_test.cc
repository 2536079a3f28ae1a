// `packtwin check` on hand-built captures: for each rule one capture that
// must be flagged (with the rule and its evidence) and a near miss that must
// not be; and nothing on a clean capture.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/protocol_v1.h"
#include "test_support.h"

namespace packtwin {
namespace {

using namespace packtwin::firmware;

constexpr int64_t kT0Ms = 1795237200'000;  // 2026-11-21T05:00:00Z

class Capture {
 public:
  Capture& At(int64_t ms, const CanFrame& frame) {
    const int64_t t = kT0Ms + ms;
    std::string data;
    for (uint8_t i = 0; i < frame.len; ++i) data += fmt::format("{:02X}", frame.data[i]);
    text_ += fmt::format("({}.{:06}) can0 {:03X}#{}\n", t / 1000, (t % 1000) * 1000, frame.id, data);
    return *this;
  }
  // TIME so that local time is `local_s` seconds after local midnight at `ms`.
  Capture& LocalTime(int64_t ms, int64_t local_s_of_day) {
    const int64_t midnight_utc_s = 1795219200;  // 2026-11-21T00:00:00Z
    return At(ms, EncodeTime({0x01, static_cast<uint32_t>(midnight_utc_s + local_s_of_day - 3600), 60, 1}));
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::vector<nlohmann::json> Findings(const Capture& capture, int* exit_code = nullptr) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.log"), capture.text());
  auto imported = testing::Packtwin({"import", dir.File("c.log"), "-o", dir.File("c.db")});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  auto checked = testing::Packtwin({"check", dir.File("c.db"), "--json"});
  if (exit_code != nullptr) *exit_code = checked.exit_code;
  return nlohmann::json::parse(checked.out)["findings"].get<std::vector<nlohmann::json>>();
}

std::vector<std::string> Rules(const Capture& capture) {
  std::vector<std::string> rules;
  for (const auto& f : Findings(capture)) rules.push_back(f["rule"]);
  return rules;
}

TelBattFrame Batt(uint8_t soc, uint8_t relays, uint8_t modes, uint8_t status) {
  return {0x2A, static_cast<uint16_t>((46400 + soc * 160 + 9) / 10), 0, soc, relays, modes, status};
}

TEST(Check, CleanSampleCaptureHasNoFindings) {
  testing::TempDir dir;
  ASSERT_EQ(testing::Packtwin({"import", testing::SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o",
                               dir.File("s.db")}).exit_code, 0);
  auto checked = testing::Packtwin({"check", dir.File("s.db")});
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("clean: 332 events"), std::string::npos) << checked.out;
}

TEST(Check, GridClosedInLockoutIsFlaggedAfterOneCycle) {
  Capture bad;
  for (int s = 0; s <= 4; s += 2) bad.At(s * 1000, EncodeTelBatt(Batt(40, 0x0F, kModeGridLimit, kStatusLockout)));
  int exit_code = 0;
  const auto findings = Findings(bad, &exit_code);
  EXPECT_EQ(exit_code, 1);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "grid-closed-in-lockout");
  EXPECT_EQ(findings[0]["node"], "0x2A");
  EXPECT_EQ(findings[0]["evidence_seq"], (std::vector<int>{2, 4}));
  EXPECT_EQ(findings[0]["section"], "docs/spec/pack-behaviour.md: Grid import limit");
  Capture near_miss;
  near_miss.At(0, EncodeTelBatt(Batt(40, 0x0F, kModeGridLimit, kStatusLockout)))
      .At(2000, EncodeTelBatt(Batt(40, 0x0E, kModeGridLimit, kStatusLockout)))
      .At(4000, EncodeTelBatt(Batt(40, 0x0E, kModeGridLimit, kStatusLockout)));
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, DailyResetAtMidnightIsFlaggedAt0500IsNot) {
  auto day = [](int64_t start_local_s) {
    Capture c;
    c.LocalTime(0, start_local_s);
    c.At(1000, EncodeTelLoads({0x2A, 0, 0, 50, 10, 30}));
    c.At(13'000, EncodeTelLoads({0x2A, 0, 0, 0, 10, 30}));  // reset between 1 s and 13 s
    return c;
  };
  EXPECT_EQ(Rules(day(24 * 3600 - 5)), (std::vector<std::string>{"reset-not-at-0500"})) << "23:59:55 -> 00:00:08";
  EXPECT_TRUE(Rules(day(5 * 3600 - 5)).empty()) << "04:59:55 -> 05:00:08";
}

TEST(Check, SecondResetTheSameDayIsFlagged) {
  Capture c;
  c.LocalTime(0, 5 * 3600 - 5);
  c.At(1000, EncodeTelLoads({0x2A, 0, 0, 50, 10, 30}));
  c.At(13'000, EncodeTelLoads({0x2A, 0, 0, 0, 10, 30}));
  c.LocalTime(14'000, 5 * 3600 + 9);
  c.At(15'000, EncodeTelLoads({0x2A, 0, 0, 30, 10, 30}));
  c.LocalTime(16'000, 5 * 3600 + 60);  // then a jump back across 05:00
  c.LocalTime(17'000, 5 * 3600 - 5);
  c.At(18'000, EncodeTelLoads({0x2A, 0, 0, 30, 10, 30}));
  c.At(30'000, EncodeTelLoads({0x2A, 0, 0, 0, 10, 30}));
  const auto rules = Rules(c);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "reset-twice"), rules.end());
}

TEST(Check, AckForAFrameOutsideTheCommandIdsIsFlagged) {
  Capture bad;
  CanFrame fleetish = EncodeFleet({0x3C, 0x10, 7, 0x0102, 0, 0});  // bytes 10 07 ... on id 0x33C
  bad.At(0, fleetish).At(5, EncodeAck({0x2A, 0x10, 7, 0}));
  const auto findings = Findings(bad);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "acted-on-non-command");
  EXPECT_EQ(findings[0]["evidence_seq"], (std::vector<int>{2, 3}));
  Capture near_miss;
  near_miss.At(0, EncodeCommand({0x2A, 0x10, 7, 2, {2, 1}})).At(5, EncodeAck({0x2A, 0x10, 7, 0}));
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, AnAckNamesTheFrameItAnsweredOnlyWithinTheAllowance) {
  const CanFrame fleetish = EncodeFleet({0x3C, 0x10, 7, 0x0102, 0, 0});  // bytes 10 07 ... on id 0x33C
  const CanFrame other = EncodeFleet({0x3C, 0x20, 1, 0x0102, 0, 0});
  // Within 2.5 s, behind 400 other frames: named.
  Capture within;
  within.At(0, fleetish);
  for (int i = 1; i <= 400; ++i) within.At(i * 5, other);
  within.At(2'400, EncodeAck({0x2A, 0x10, 7, 0}));
  auto findings = Findings(within);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["evidence_seq"], (std::vector<int>{2, 403}));
  // Older than 2.5 s: the ACK is still flagged but names no frame.
  Capture older;
  older.At(0, fleetish).At(1'000, other).At(2'600, EncodeAck({0x2A, 0x10, 7, 0}));
  findings = Findings(older);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "acted-on-non-command");
  EXPECT_EQ(findings[0]["evidence_seq"], (std::vector<int>{4}));
}

TEST(Check, DuplicateNodeIdIsFlaggedWhenTheHigherSerialStaysOnIt) {
  Capture bad;
  bad.At(0, EncodeHeartbeat({0x12, 1, 2, 5, 0, 0xAAAA}))
      .At(10, EncodeHeartbeat({0x12, 1, 2, 5, 0, 0xBBBB}))
      .At(10'010, EncodeHeartbeat({0x12, 1, 2, 5, 0, 0xBBBB}));
  EXPECT_EQ(Rules(bad), (std::vector<std::string>{"duplicate-node-id"}));
  Capture resolved;  // the higher serial moves to the next free id, as the rules say
  resolved.At(0, EncodeHeartbeat({0x12, 1, 2, 6, 0, 0xAAAA}))
      .At(10, EncodeHeartbeat({0x12, 1, 2, 6, 0, 0xBBBB}))
      .At(20, EncodeHeartbeat({0x13, 1, 2, 6, 0, 0xBBBB}))
      .At(10'000, EncodeHeartbeat({0x12, 1, 2, 6, 0, 0xAAAA}))
      .At(10'020, EncodeHeartbeat({0x13, 1, 2, 6, 0, 0xBBBB}));
  EXPECT_TRUE(Rules(resolved).empty());
}

TEST(Check, TwoMastersAreFlaggedWhenTheConflictOutlastsAHandover) {
  Capture bad;
  for (int64_t ms = 0; ms <= 20'000; ms += 10'000) {
    bad.At(ms, EncodeHeartbeat({0x12, 1, 2, 5, 1, 1})).At(ms + 10, EncodeHeartbeat({0x13, 1, 2, 5, 1, 2}));
  }
  EXPECT_EQ(Rules(bad), (std::vector<std::string>{"two-masters"}));
  Capture handover;  // 0x13 joins; 0x12 steps down with its next heartbeat
  handover.At(0, EncodeHeartbeat({0x12, 1, 2, 6, 1, 1}))
      .At(10, EncodeHeartbeat({0x13, 1, 2, 6, 1, 2}))
      .At(10'000, EncodeHeartbeat({0x12, 1, 2, 6, 0, 1}))
      .At(10'010, EncodeHeartbeat({0x13, 1, 2, 6, 1, 2}))
      .At(20'010, EncodeHeartbeat({0x13, 1, 2, 6, 1, 2}));
  EXPECT_TRUE(Rules(handover).empty());
}

TEST(Check, SocInconsistentWithVoltageIsFlagged) {
  Capture bad;
  bad.At(0, EncodeTelBatt({0x2A, 5200, 0, 0, 0x0F, 0, 0}));  // 52.00 V is 35 %, not 0 %
  const auto findings = Findings(bad);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "soc-inconsistent-with-voltage");
  EXPECT_EQ(findings[0]["expected"], "SOC 35 % for 52.00 V");
  Capture near_miss;
  near_miss.At(0, EncodeTelBatt({0x2A, 5200, 0, 36, 0x0F, 0, 0}));
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, EcoRestoringWithin30SecondsIsOscillation) {
  Capture bad;
  bad.At(0, EncodeRelayEvt({0x2A, 3, 0, 2, 0x07})).At(2000, EncodeRelayEvt({0x2A, 3, 1, 7, 0x0F}));
  EXPECT_EQ(Rules(bad), (std::vector<std::string>{"eco-oscillation"}));
  Capture near_miss;
  near_miss.At(0, EncodeRelayEvt({0x2A, 3, 0, 2, 0x07})).At(30'000, EncodeRelayEvt({0x2A, 3, 1, 7, 0x0F}));
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, GridEnergyScaledAThousandTimesIsFlagged) {
  auto run = [](uint16_t wh10_per_cycle) {
    Capture c;
    for (int cycle = 0; cycle < 30; ++cycle) {
      c.At(cycle * 2000, EncodeTelPower({0x2A, 1000, 0, 0, 0}));
      c.At(cycle * 2000 + 1, EncodeTelLoads({0x2A, 0, 0, static_cast<uint16_t>(cycle * wh10_per_cycle / 18), 10, 30}));
    }
    return Rules(c);
  };
  // 1000 W for 2 s is 0.56 Wh: 1/18 of 10 Wh per cycle; a thousand times that is 55 x 10 Wh.
  EXPECT_EQ(run(1000), (std::vector<std::string>{"grid-energy-scale"}));
  EXPECT_TRUE(run(1).empty());
}

TEST(Check, GridEnergyThatNeverMovesIsFlagged) {
  auto run = [](bool integrates) {
    Capture c;
    for (int cycle = 0; cycle < 200; ++cycle) {  // 2000 W for 400 s = 222 Wh
      c.At(cycle * 2000, EncodeTelPower({0x2A, 2000, 0, 0, 0}));
      const auto wh10 = static_cast<uint16_t>(integrates ? cycle * 2000 * 2 / 36000 : 0);
      c.At(cycle * 2000 + 1, EncodeTelLoads({0x2A, 0, 0, wh10, 10, 30}));
    }
    return Rules(c);
  };
  EXPECT_EQ(run(false), (std::vector<std::string>{"grid-energy-not-integrated"}));
  EXPECT_TRUE(run(true).empty());
}

TEST(Check, TelemetryOfTheWrongLengthIsFlagged) {
  Capture bad;
  CanFrame short_batt = EncodeTelBatt(Batt(40, 0x0F, 0, 0));
  short_batt.len = 7;
  bad.At(0, short_batt).At(2000, short_batt);
  EXPECT_EQ(Rules(bad), (std::vector<std::string>{"telemetry-wrong-length"})) << "reported once per node and frame";
  Capture near_miss;
  near_miss.At(0, EncodeTelBatt(Batt(40, 0x0F, 0, 0)));
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, BroadcastCommandNotAckedByEveryLivePackIsFlagged) {
  auto run = [](bool both) {
    Capture c;
    c.At(0, EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1})).At(0, EncodeHeartbeat({0x3C, 1, 2, 6, 0, 2}));
    c.At(1000, EncodeCommand({0x7F, 0x15, 3, 0, {}})).At(1010, EncodeAck({0x2A, 0x15, 3, 0}));
    if (both) c.At(1020, EncodeAck({0x3C, 0x15, 3, 0}));
    c.At(9000, EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1}));
    return Findings(c);
  };
  const auto missing = run(false);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]["rule"], "missing-ack");
  EXPECT_EQ(missing[0]["node"], "0x3C");
  EXPECT_TRUE(run(true).empty());
}

// One control cycle's three TEL frames, as a pack sends them.
void Cycle(Capture& c, int64_t ms, uint8_t soc, uint8_t relays, uint8_t modes, int16_t home_W, int16_t pool_W,
           int16_t heater_W, uint8_t eco_limit_100W = 30) {
  c.At(ms, EncodeTelBatt(Batt(soc, relays, modes, 0)));
  c.At(ms + 1, EncodeTelPower({0x2A, 0, home_W, 0, 0}));
  c.At(ms + 2, EncodeTelLoads({0x2A, pool_W, heater_W, 0, 10, eco_limit_100W}));
}

TEST(Check, GridRelayAgainstSelfConsumptionIsARelayDecisionFinding) {
  Capture bad;
  for (int s = 0; s <= 6; s += 2) Cycle(bad, s * 1000, 60, 0x0F, kModeSelfConsumption, 500, 0, 0);
  const auto findings = Findings(bad);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "relay-decision");
  EXPECT_EQ(findings[0]["expected"], "grid open (self-consumption, by the firmware's own decision on what the pack reported)");
  Capture near_miss;
  Cycle(near_miss, 0, 60, 0x0F, kModeSelfConsumption, 500, 0, 0);
  Cycle(near_miss, 2000, 60, 0x0E, kModeSelfConsumption, 500, 0, 0);
  Cycle(near_miss, 4000, 60, 0x0E, kModeSelfConsumption, 500, 0, 0);
  EXPECT_TRUE(Rules(near_miss).empty());
}

TEST(Check, EcoNotSheddingOverTheLimitIsARelayDecisionFinding) {
  Capture bad;
  Cycle(bad, 0, 40, 0x0F, 0, 1800, 400, 1200);  // Eco off: its history is known
  for (int s = 2; s <= 8; s += 2) Cycle(bad, s * 1000, 40, 0x0F, kModeEco, 1800, 400, 1200);
  const auto rules = Rules(bad);
  ASSERT_FALSE(rules.empty());
  EXPECT_EQ(rules[0], "relay-decision");
  Capture near_miss;  // sheds the heater in its first Eco cycle; the heater reads 0 W from the next
  Cycle(near_miss, 0, 40, 0x0F, 0, 1800, 400, 1200);
  near_miss.At(1999, EncodeRelayEvt({0x2A, 3, 0, 2, 0x07}));
  Cycle(near_miss, 2000, 40, 0x07, kModeEco, 1800, 400, 1200);
  for (int s = 4; s <= 8; s += 2) Cycle(near_miss, s * 1000, 40, 0x07, kModeEco, 1800, 400, 0);
  EXPECT_TRUE(Rules(near_miss).empty());
}

}  // namespace
}  // namespace packtwin
