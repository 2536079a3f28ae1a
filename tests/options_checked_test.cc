// Options are checked: a value that cannot be what it names is a usage error
// (64), a value the log does not cover is said so (1), and a missing input
// file is 1 for every command.
#include <gtest/gtest.h>

#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::TempDir;

std::string Sample(const TempDir& dir) {
  const std::string db = dir.File("site.db");
  EXPECT_EQ(Packtwin({"import", testing::SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", db}).exit_code, 0);
  return db;
}

TEST(OptionsChecked, ValuesThatCannotBeWhatTheyNameAreUsageErrors) {
  TempDir dir;
  const std::string db = Sample(dir);
  for (const char* speed : {"nan", "0", "-1", "inf"}) {
    auto result = Packtwin({"replay", db, "--to", "slcan:/dev/null", "--speed", speed});
    EXPECT_EQ(result.exit_code, 64) << speed << ": " << result.err;
    EXPECT_NE(result.err.find("expected a speed above 0"), std::string::npos) << result.err;
  }
  auto seed = Packtwin({"simulate", "--seed", "-1", "-o", dir.File("x.db")});
  EXPECT_EQ(seed.exit_code, 64) << seed.err;
  auto at = Packtwin({"state", db, "--at", "18446744074"});
  EXPECT_EQ(at.exit_code, 64) << at.err;
  EXPECT_NE(at.err.find("up to 9000000000"), std::string::npos) << at.err;
}

TEST(OptionsChecked, MomentsAndNodesTheLogDoesNotHoldAreSaidSo) {
  TempDir dir;
  const std::string db = Sample(dir);
  auto seq = Packtwin({"state", db, "--seq", "0"});
  EXPECT_EQ(seq.exit_code, 1);
  EXPECT_NE(seq.err.find("--seq 0: the log's events are seq 1 to"), std::string::npos) << seq.err;
  auto late = Packtwin({"state", db, "--at", "2030-01-01T00:00:00Z"});
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_NE(late.err.find("outside the log, which runs from"), std::string::npos) << late.err;
  auto backwards = Packtwin({"timeline", db, "--from", "10", "--to", "5"});
  EXPECT_EQ(backwards.exit_code, 1);
  EXPECT_NE(backwards.err.find("is not before --to"), std::string::npos) << backwards.err;
  auto node = Packtwin({"state", db, "--node", "0x33"});
  EXPECT_EQ(node.exit_code, 1);
  EXPECT_NE(node.err.find("--node 0x33: no such node in the log"), std::string::npos) << node.err;
  EXPECT_NE(node.err.find("0x2A"), std::string::npos) << "lists the nodes seen: " << node.err;
  EXPECT_EQ(Packtwin({"state", db, "--node", "0x2A", "--at", "30s"}).exit_code, 0);
}

TEST(OptionsChecked, AMissingInputFileIsExit1ForEveryCommand) {
  TempDir dir;
  const std::string missing = dir.File("missing.db");
  const std::vector<std::vector<std::string>> commands = {
      {"info", missing},
      {"verify", missing},
      {"state", missing},
      {"timeline", missing},
      {"check", missing},
      {"digest", missing},
      {"export", missing, "--format", "candump"},
      {"golden", missing, "-o", dir.File("g.json")},
      {"regress", missing, "--golden", dir.File("missing.json")},
      {"import", dir.File("missing.log"), "-o", dir.File("x.db")},
      {"replay", missing, "--to", "slcan:/dev/null"},
      {"bms-emulate", missing, "--port", "/dev/null"},
      {"scenario", "run", dir.File("missing.json")},
  };
  for (const auto& args : commands) {
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("missing"), std::string::npos) << args[0] << " names the file: " << result.err;
  }
}

}  // namespace
}  // namespace packtwin
