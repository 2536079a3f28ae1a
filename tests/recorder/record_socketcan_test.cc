// `packtwin record --can vcan0` through a raw SocketCAN socket, with
// can-utils' cansend as the peer. Needs AF_CAN and a vcan interface; skips
// with the reason when this kernel has neither.
#include <net/if.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "packtwin/bus/socketcan.h"
#include "test_support.h"

namespace packtwin {
namespace {

// The vcan interface to use, or why there is none.
std::string VcanOrReason(std::string* reason) {
  if (!bus::SocketCanAvailable()) {
    *reason = "this kernel has no SocketCAN (AF_CAN socket: address family not supported)";
    return "";
  }
  if (if_nametoindex("vcan0") == 0) {
    testing::Run({"ip", "link", "add", "dev", "vcan0", "type", "vcan"});
    testing::Run({"ip", "link", "set", "up", "vcan0"});
  }
  if (if_nametoindex("vcan0") == 0) {
    *reason = "no vcan0 interface and it could not be created (modprobe vcan needs root)";
    return "";
  }
  return "vcan0";
}

TEST(RecordSocketCan, FramesAndRelayEventsFromARawSocket) {
  std::string reason;
  const std::string vcan = VcanOrReason(&reason);
  if (vcan.empty()) GTEST_SKIP() << reason;
  testing::TempDir dir;
  testing::Child recorder({testing::PacktwinBinary(), "record", "-o", dir.File("can.db"), "--quiet", "--can", vcan});
  usleep(300'000);
  for (const char* frame : {"1AA#5014E204230F0100", "12345678#00", "42A#03000207", "123#R"}) {
    auto sent = testing::Run({"cansend", vcan, frame});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
  }
  usleep(300'000);
  recorder.Signal(SIGINT);
  auto result = recorder.Wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto exported = testing::Packtwin({"export", dir.File("can.db"), "--format", "candump"});
  std::istringstream lines(exported.out);
  std::string line;
  std::vector<std::string> frames;
  while (std::getline(lines, line)) frames.push_back(line.substr(line.rfind(' ', line.size() - 3) + 1));
  ASSERT_EQ(frames.size(), 4u) << exported.out;
  auto json = testing::Packtwin({"export", dir.File("can.db"), "--format", "jsonl"});
  EXPECT_NE(json.out.find("\"kind\":\"relay_change\""), std::string::npos);
}

TEST(RecordSocketCan, MissingInterfaceIsAClearError) {
  testing::TempDir dir;
  auto result = testing::Packtwin({"record", "-o", dir.File("x.db"), "--quiet", "--can", "nosuchcan7"});
  EXPECT_EQ(result.exit_code, 1);
  const bool explained = result.err.find("no SocketCAN on this machine") != std::string::npos ||
                         result.err.find("no such CAN interface") != std::string::npos;
  EXPECT_TRUE(explained) << result.err;
  EXPECT_FALSE(testing::FileExists(dir.File("x.db")));
}

}  // namespace
}  // namespace packtwin
