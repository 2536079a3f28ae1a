// Nothing a user does loses a capture: an output is never one of its inputs,
// --force replaces only a regular file no other packtwin has open, devices and
// FIFOs are written into and symlinks followed, an interrupted writer leaves
// nothing half-written, and output that cannot be written is an error.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "test_support.h"

namespace packtwin {
namespace {

using testing::FileExists;
using testing::Packtwin;
using testing::ReadFile;
using testing::TempDir;

std::string Sample() { return testing::SourceDir() + "/tests/data/two-interfaces.log"; }

std::string ImportSample(const TempDir& dir, const std::string& name) {
  const std::string db = dir.File(name);
  EXPECT_EQ(Packtwin({"import", Sample(), "-o", db}).exit_code, 0);
  return db;
}

TEST(OutputSafety, AnOutputThatIsTheInputIsRefusedEvenWithForce) {
  TempDir dir;
  const std::string db = ImportSample(dir, "site.db");
  const std::string before = ReadFile(db);
  auto result = Packtwin({"export", db, "--format", "jsonl", "-o", db, "--force"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("is the input"), std::string::npos) << result.err;
  EXPECT_EQ(ReadFile(db), before) << "the capture is untouched";
  ::symlink(db.c_str(), dir.File("alias.db").c_str());
  auto via_link = Packtwin({"export", db, "--format", "asc", "-o", dir.File("alias.db"), "--force"});
  EXPECT_EQ(via_link.exit_code, 1) << "the same file by another name (device and inode)";
  auto golden = Packtwin({"golden", db, "-o", db, "--force"});
  EXPECT_EQ(golden.exit_code, 1);
  auto import = Packtwin({"import", Sample(), "-o", Sample(), "--force"});
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_EQ(ReadFile(db), before);
}

TEST(OutputSafety, ADeviceIsWrittenIntoNeverReplaced) {
  TempDir dir;
  const std::string db = ImportSample(dir, "site.db");
  auto result = Packtwin({"export", db, "--format", "candump", "-o", "/dev/full", "--force"});
  EXPECT_EQ(result.exit_code, 1) << "a full device: the write fails and says so";
  struct stat st {};
  ASSERT_EQ(::stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/full is still a device";
  // /dev/zero, not /dev/null: a CI machine was seen with /dev/null replaced by a
  // regular file (by something outside packtwin), which made this test fail there.
  ASSERT_EQ(::stat("/dev/zero", &st), 0);
  ASSERT_TRUE(S_ISCHR(st.st_mode)) << "this machine's /dev/zero is not a device";
  EXPECT_EQ(Packtwin({"export", db, "--format", "candump", "-o", "/dev/zero"}).exit_code, 0) << "a device needs no --force: nothing is replaced";
  ASSERT_EQ(::stat("/dev/zero", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/zero is still a device";
  auto log = Packtwin({"import", Sample(), "-o", "/dev/zero", "--force"});
  EXPECT_EQ(log.exit_code, 1) << "an event log must be a regular file";
  EXPECT_NE(log.err.find("regular file"), std::string::npos) << log.err;
}

TEST(OutputSafety, AFifoIsWrittenInto) {
  TempDir dir;
  const std::string db = ImportSample(dir, "site.db");
  const std::string fifo = dir.File("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = ReadFile(fifo); });
  auto result = Packtwin({"export", db, "--format", "candump", "-o", fifo});
  reader.join();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(received.find("can0 "), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(OutputSafety, ASymlinkIsFollowedAndStays) {
  TempDir dir;
  const std::string db = ImportSample(dir, "site.db");
  testing::WriteFile(dir.File("target.log"), "old\n");
  ::symlink(dir.File("target.log").c_str(), dir.File("link.log").c_str());
  ASSERT_EQ(Packtwin({"export", db, "--format", "candump", "-o", dir.File("link.log"), "--force"}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(dir.File("link.log")));
  EXPECT_NE(ReadFile(dir.File("target.log")).find("can0 "), std::string::npos);
}

std::string ProxySpec() { return "127.0.0.1:" + std::to_string(testing::FreeTcpPort()) + "=127.0.0.1:9"; }

TEST(OutputSafety, ForceNeverReplacesALogAnotherPacktwinIsRecordingInto) {
  TempDir dir;
  const std::string db = dir.File("live.db");
  testing::Child first({testing::PacktwinBinary(), "record", "-o", db, "--quiet", "--modbus-tcp-proxy", ProxySpec()});
  ASSERT_TRUE(testing::WaitForFile(db));
  usleep(300'000);
  auto second = Packtwin({"record", "-o", db, "--force", "--quiet", "--duration", "1s", "--modbus-tcp-proxy",
                          ProxySpec()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("another packtwin process has it open"), std::string::npos) << second.err;
  auto imported = Packtwin({"import", Sample(), "-o", db, "--force"});
  EXPECT_EQ(imported.exit_code, 1) << imported.err;
  first.Signal(SIGINT);
  auto result = first.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto verify = Packtwin({"verify", db});
  EXPECT_EQ(verify.exit_code, 0) << "the first recorder's capture is whole: " << verify.out << verify.err;
}

TEST(OutputSafety, InterruptedWriterRemovesItsPartialFileAndExits130) {
  TempDir dir;
  testing::Child simulate({testing::PacktwinBinary(), "simulate", "--packs", "3", "--duration", "24h", "-o",
                           dir.File("day.db")});
  bool partial_seen = false;
  for (int waited = 0; waited < 10'000 && !partial_seen; waited += 20) {
    usleep(20'000);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      partial_seen = partial_seen || entry.path().filename().string().find(".partial-") != std::string::npos;
    }
  }
  ASSERT_TRUE(partial_seen) << "the simulation writes under a temporary name";
  usleep(200'000);
  simulate.Signal(SIGINT);
  auto result = simulate.Wait();
  EXPECT_EQ(result.exit_code, 130);
  EXPECT_NE(result.err.find("day.db was not written"), std::string::npos) << result.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "no partial file, -wal or -shm is left";
}

TEST(OutputSafety, OutputThatCannotBeWrittenIsAnError) {
  TempDir dir;
  const std::string db = ImportSample(dir, "site.db");
  for (const std::string command : {"info", "verify", "state", "timeline", "check", "digest"}) {
    auto result = testing::Run({"/bin/sh", "-c", testing::PacktwinBinary() + " " + command + " " + db + " > /dev/full"});
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_NE(result.err.find("cannot write the output"), std::string::npos) << command << ": " << result.err;
  }
}

TEST(OutputSafety, TheSameInputImportedTwiceGivesTheSameLogWhateverThePathAsTyped) {
  TempDir dir;
  testing::WriteFile(dir.File("a.log"), ReadFile(Sample()));
  ASSERT_EQ(Packtwin({"import", dir.File("a.log"), "-o", dir.File("one.db")}).exit_code, 0);
  ASSERT_EQ(testing::Run({"/bin/sh", "-c", "cd " + dir.path() + " && " + testing::PacktwinBinary() +
                                               " import ./a.log -o two.db"})
                .exit_code,
            0);
  auto one = Packtwin({"verify", dir.File("one.db"), "--json"});
  auto two = Packtwin({"verify", dir.File("two.db"), "--json"});
  auto head = [](const std::string& json) { return nlohmann::json::parse(json)["head"]; };
  EXPECT_EQ(head(one.out), head(two.out));
}

}  // namespace
}  // namespace packtwin
