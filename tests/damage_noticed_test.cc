// Every command that reads a log notices damage in what it read and says so
// with verify's exit code 2: no command reports a changed or cut log as clean.
#include <gtest/gtest.h>

#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::Sql;
using testing::TempDir;
using testing::WriteLog;

constexpr const char* kDropTriggers = "DROP TRIGGER blocks_refuse_update; DROP TRIGGER blocks_refuse_delete;";
constexpr const char* kFlipLastByteOfBlock31 =
    "UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
    "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE first_seq = 31";

std::string Damaged(const TempDir& dir, const std::string& sql) {
  const std::string db = dir.File("site.db");
  WriteLog(db, 100);
  EXPECT_EQ(Sql(db, std::string(kDropTriggers) + sql), "");
  return db;
}

const std::vector<std::vector<std::string>> kReaders = {
    {"check"}, {"state"}, {"timeline"}, {"digest"}, {"export", "--format", "candump"}, {"golden", "-o", "/dev/null"},
};

TEST(DamageNoticed, AChangedBlockFailsEveryReadingCommandWithExit2) {
  TempDir dir;
  const std::string db = Damaged(dir, kFlipLastByteOfBlock31);
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, db);
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("events seq 31 to 40: the hash chain does not match"), std::string::npos)
        << args[0] << ": " << result.err;
  }
}

TEST(DamageNoticed, ACutTailIsNeverCalledClean) {
  TempDir dir;
  const std::string db = Damaged(dir, "DELETE FROM blocks WHERE first_seq > 90");
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, db);
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("says 100 events were committed but it ends at seq 90"), std::string::npos)
        << args[0] << ": " << result.err;
    EXPECT_EQ(result.out.find("clean"), std::string::npos) << args[0];
  }
}

TEST(DamageNoticed, InfoExits2OnABrokenChain) {
  TempDir dir;
  const std::string db = Damaged(dir, kFlipLastByteOfBlock31);
  auto result = Packtwin({"info", db});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("BROKEN at seq 31"), std::string::npos) << result.out;
}

TEST(DamageNoticed, AnIntactLogReadsWithExit0) {
  TempDir dir;
  WriteLog(dir.File("site.db"), 100);
  for (auto args : kReaders) {
    args.insert(args.begin() + 1, dir.File("site.db"));
    auto result = Packtwin(args);
    EXPECT_NE(result.exit_code, 2) << args[0] << ": " << result.err;  // check may find that random frames break rules
    EXPECT_EQ(result.err.find("hash chain"), std::string::npos) << args[0] << ": " << result.err;
  }
  EXPECT_EQ(Packtwin({"info", dir.File("site.db")}).exit_code, 0);
}

}  // namespace
}  // namespace packtwin
