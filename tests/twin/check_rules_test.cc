// The rule table of `packtwin check`: complete, consistent, listed by
// `check --list-rules`, and the narrowing options `--rule` and `--node`.
#include "packtwin/twin/check_rules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CheckRules, EachRuleHasAUniqueNameAFamilyASectionOfTheShippedSpecAndADescription) {
  std::set<std::string_view> names;
  for (const twin::CheckRule& rule : twin::CheckRules()) {
    EXPECT_TRUE(names.insert(rule.name).second) << "rule listed twice: " << rule.name;
    EXPECT_FALSE(rule.family.empty()) << rule.name;
    EXPECT_FALSE(rule.description.empty()) << rule.name;
    const std::string section(rule.section);
    const std::string file = section.substr(0, section.find(':'));
    EXPECT_TRUE(std::filesystem::exists(testing::SourceDir() + "/docs/spec/" + file)) << rule.name << ": " << file;
    EXPECT_EQ(twin::FindCheckRule(rule.name), &rule);
  }
  EXPECT_EQ(twin::FindCheckRule("no-such-rule"), nullptr);
}

// A rule nobody provokes in a test is a rule nobody knows still works.
TEST(CheckRules, EveryRuleIsProvokedByATestThatExpectsItsName) {
  std::string tests;
  for (const char* file : {"/tests/twin/check_test.cc", "/tests/twin/bms_watch_test.cc", "/tests/twin/check_bridge_test.cc"}) {
    tests += ReadAll(testing::SourceDir() + file);
  }
  for (const twin::CheckRule& rule : twin::CheckRules()) {
    EXPECT_NE(tests.find("\"" + std::string(rule.name) + "\""), std::string::npos)
        << rule.name << ": no test in tests/twin/ expects this rule";
  }
}

TEST(CheckRules, ListRulesPrintsTheTableAsTextAndJson) {
  auto json = testing::Packtwin({"check", "--list-rules", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto listed = nlohmann::json::parse(json.out);
  ASSERT_EQ(listed.size(), twin::CheckRules().size());
  size_t i = 0;
  for (const twin::CheckRule& rule : twin::CheckRules()) {
    EXPECT_EQ(listed[i]["rule"], std::string(rule.name));
    EXPECT_EQ(listed[i]["family"], std::string(rule.family));
    EXPECT_EQ(listed[i]["section"], "docs/spec/" + std::string(rule.section));
    EXPECT_EQ(listed[i]["description"], std::string(rule.description));
    ++i;
  }
  auto text = testing::Packtwin({"check", "--list-rules"});
  ASSERT_EQ(text.exit_code, 0);
  for (const twin::CheckRule& rule : twin::CheckRules()) {
    EXPECT_NE(text.out.find(std::string(rule.name) + " "), std::string::npos) << rule.name;
  }
}

class NarrowedCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    auto made = testing::Packtwin({"scenario", "run",
                                   testing::SourceDir() + "/scenarios/field-defects/defect-03-grid-reclosed-in-lockout.json",
                                   "-o", dir_->File("lockout.db")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static nlohmann::json Findings(std::vector<std::string> args, int expected_exit) {
    args.insert(args.begin(), {"check", dir_->File("lockout.db"), "--json"});
    auto result = testing::Packtwin(args);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err;
    return nlohmann::json::parse(result.out)["findings"];
  }
  static testing::TempDir* dir_;
};
testing::TempDir* NarrowedCheck::dir_ = nullptr;

TEST_F(NarrowedCheck, RuleKeepsOnlyThatRulesFindings) {
  const auto all = Findings({}, 1);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(Findings({"--rule", "grid-closed-in-lockout"}, 1), all) << "the scenario's only finding is this rule's";
  EXPECT_TRUE(Findings({"--rule", "eco-oscillation"}, 0).empty());
  EXPECT_EQ(Findings({"--rule", "eco-oscillation,grid-closed-in-lockout"}, 1), all);
}

TEST_F(NarrowedCheck, NodeKeepsOnlyThatNodesFindings) {
  const auto all = Findings({}, 1);
  ASSERT_FALSE(all.empty());
  const std::string node = all[0]["node"];
  EXPECT_EQ(Findings({"--node", node}, 1), all);
  // Another node of the same site (the bridge): in the log, but nothing to report.
  auto listed = testing::Packtwin({"state", dir_->File("lockout.db"), "--json"});
  ASSERT_EQ(listed.exit_code, 0);
  const auto state = nlohmann::json::parse(listed.out);
  std::string other;
  for (const auto& seen : state["nodes"]) {
    if (seen["node"] != node) other = seen["node"];
  }
  ASSERT_FALSE(other.empty()) << "the scenario has a bridge beside its pack";
  EXPECT_TRUE(Findings({"--node", other}, 0).empty());
}

// Each --rule takes one value (or a comma list), so the log may come after it.
TEST_F(NarrowedCheck, RuleOptionsBeforeTheLogLeaveTheLogALog) {
  auto result = testing::Packtwin({"check", "--rule", "eco-oscillation", "--rule", "grid-closed-in-lockout",
                                   dir_->File("lockout.db")});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("1 finding in 1793 events (rules eco-oscillation, grid-closed-in-lockout)"),
            std::string::npos)
      << result.out;
}

TEST_F(NarrowedCheck, AnUnknownRuleIsAUsageErrorThatPointsToTheList) {
  auto result = testing::Packtwin({"check", dir_->File("lockout.db"), "--rule", "grid-closed"});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_EQ(result.err, "packtwin: --rule 'grid-closed': no such rule; 'packtwin check --list-rules' lists them\n");
}

TEST_F(NarrowedCheck, ANodeNotInTheLogIsSaidNotAnsweredWithClean) {
  auto result = testing::Packtwin({"check", dir_->File("lockout.db"), "--node", "0x7D"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--node 0x7D: no such node in the log (nodes seen: "), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST_F(NarrowedCheck, TheSummaryLineSaysTheCheckWasNarrowed) {
  auto result = testing::Packtwin({"check", dir_->File("lockout.db"), "--rule", "eco-oscillation"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("nothing the rules forbid (rule eco-oscillation)"), std::string::npos) << result.out;
}

TEST(CheckRules, ListRulesTakesNoLog) {
  auto result = testing::Packtwin({"check", "x.db", "--list-rules"});
  EXPECT_EQ(result.exit_code, 64) << result.err;
  auto missing = testing::Packtwin({"check"});
  EXPECT_EQ(missing.exit_code, 64);
  EXPECT_NE(missing.err.find("DB is required (or --list-rules)"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace packtwin
