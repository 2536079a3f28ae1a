// golden / regress: the first difference between a golden file and the
// current reducers, by timeline, finding and digest.
#include "packtwin/twin/golden.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace packtwin::twin {
namespace {

class Golden : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::Packtwin({"import", testing::SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o",
                                 dir_.File("s.db")}).exit_code, 0);
    reader_ = std::move(*eventlog::EventReader::Open(dir_.File("s.db")));
    golden_ = nlohmann::json::parse(MakeGolden(*reader_)->dump());
  }
  std::optional<GoldenDifference> Against(const nlohmann::json& golden) {
    auto difference = Regress(*reader_, golden);
    EXPECT_TRUE(difference.ok()) << difference.status().message();
    return *difference;
  }
  testing::TempDir dir_;
  std::unique_ptr<eventlog::EventReader> reader_;
  nlohmann::json golden_;
};

TEST_F(Golden, SameReducersSameGolden) { EXPECT_FALSE(Against(golden_).has_value()); }

TEST_F(Golden, ChangedDecisionIsTheFirstDifferenceWithItsSeq) {
  size_t shed = 0;
  while (shed < golden_["timeline"].size() && golden_["timeline"][shed]["text"] != "relay water heater opened (eco)") ++shed;
  ASSERT_LT(shed, golden_["timeline"].size());
  auto changed = golden_;
  changed["timeline"][shed]["text"] = "relay water heater opened (manual)";
  auto difference = Against(changed);
  ASSERT_TRUE(difference.has_value());
  EXPECT_EQ(difference->what, "timeline");
  EXPECT_EQ(difference->seq, golden_["timeline"][shed]["seq"].get<uint64_t>());
  EXPECT_NE(difference->before.find("(manual)"), std::string::npos);
  EXPECT_NE(difference->after.find("(eco)"), std::string::npos);
}

TEST_F(Golden, MissingChangeAndNewFindingAndDigestAreDifferences) {
  auto shorter = golden_;
  shorter["timeline"].erase(shorter["timeline"].size() - 1);
  EXPECT_EQ(Against(shorter)->after.find("(nothing)"), std::string::npos);
  EXPECT_EQ(Against(shorter)->before, "(nothing)");
  auto finding = golden_;
  finding["findings"].push_back({{"rule", "two-masters"}, {"evidence_seq", {4}}});
  EXPECT_EQ(Against(finding)->what, "finding");
  auto digest = golden_;
  digest["digests"][0]["digest"] = "0000000000000000";
  EXPECT_EQ(Against(digest)->what, "digest");
}

TEST_F(Golden, NotAGoldenFileIsAClearError) {
  auto result = Regress(*reader_, nlohmann::json{{"hello", 1}});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("not a packtwin golden file"), std::string::npos);
}

}  // namespace
}  // namespace packtwin::twin
