// `packtwin record` with slcan adapters (emulated on pseudo-terminals): setup,
// frames with and without adapter timestamps, bursts, malformed lines, error
// replies, RELAY_EVT -> relay changes, clean stops, a vanishing adapter and a
// full disk. The real binary runs as a child process.
#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pty_adapter.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Child;
using testing::Packtwin;
using testing::PtyAdapter;
using testing::SlcanFrame;
using testing::TempDir;

std::vector<nlohmann::json> Only(const std::vector<nlohmann::json>& events, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events) {
    if (e["kind"] == kind) out.push_back(e);
  }
  return out;
}

void ExpectIntact(const std::string& db) {
  auto verify = Packtwin({"verify", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

class RecordSlcan : public ::testing::Test {
 protected:
  std::unique_ptr<Child> Start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{testing::PacktwinBinary(), "record", "-o", db(), "--quiet",
                                  "--can", "slcan:" + adapter_.device()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Child>(argv);
  }
  std::string db() const { return dir_.File("site.db"); }
  TempDir dir_;
  PtyAdapter adapter_;
};

TEST_F(RecordSlcan, SetsBitRateTimestampsAndOpensThenClosesOnSigint) {
  auto child = Start();
  EXPECT_EQ(adapter_.ServeSetup(), (std::vector<std::string>{"C", "S6", "Z1", "O"}));
  adapter_.Send(SlcanFrame(0x1AA, "5014E204230F0100", 1234));
  usleep(200'000);
  child->Signal(SIGINT);
  EXPECT_EQ(adapter_.ReadCommands(3000), (std::vector<std::string>{"C"})) << "the channel is closed on exit";
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("(SIGINT)"), std::string::npos) << result.out;
  const auto events = testing::ExportedEvents(db());
  ASSERT_EQ(Only(events, "can_frame").size(), 1u);
  EXPECT_EQ(events.front()["kind"], "capture_start");
  EXPECT_EQ(events.back()["kind"], "capture_stop");
  EXPECT_EQ(events.back()["reason"], "SIGINT");
  ExpectIntact(db());
}

TEST_F(RecordSlcan, PrintWritesEachFrameAsItArrivesWithItsNameAndSignals) {
  auto child = Start({"--print"});
  adapter_.ServeSetup();
  adapter_.Send(SlcanFrame(0x1AA, "5014E204230F0100"));
  std::string seen;
  for (int waited = 0; waited < 5000 && seen.find("TEL_BATT") == std::string::npos; waited += 20) {
    usleep(20'000);
    seen = child->OutputSoFar();
  }
  EXPECT_NE(seen.find(") slcan0 1AA#5014E204230F0100 R  TEL_BATT pack_V=52.0 current_A=12.5 soc_pct=35 relay_grid=closed"),
            std::string::npos)
      << "printed while recording goes on: " << seen;
  adapter_.Send(SlcanFrame(0x1AA, "5014"));  // a TEL_BATT of the wrong length
  for (int waited = 0; waited < 5000 && seen.find("(bad_length)") == std::string::npos; waited += 20) {
    usleep(20'000);
    seen = child->OutputSoFar();
  }
  EXPECT_NE(seen.find(") slcan0 1AA#5014 R  TEL_BATT (bad_length)"), std::string::npos) << seen;
  child->Signal(SIGINT);
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("recorded "), std::string::npos) << "the summary follows the frames: " << result.out;
}

TEST_F(RecordSlcan, BitRateFromTheSourceSpec) {
  auto child = std::make_unique<Child>(std::vector<std::string>{
      testing::PacktwinBinary(), "record", "-o", db(), "--quiet", "--can", "slcan:" + adapter_.device() + "@250000"});
  EXPECT_EQ(adapter_.ServeSetup()[1], "S5");
  child->Signal(SIGTERM);
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::ExportedEvents(db()).back()["reason"], "SIGTERM");
}

TEST_F(RecordSlcan, FramesWithAndWithoutAdapterTimestamps) {
  auto child = Start();
  adapter_.ServeSetup();
  adapter_.Send(SlcanFrame(0x123, "DEADBEEF"));                   // no timestamp
  adapter_.Send("T123456784DEADBEEF1234\r");                       // extended, timestamped
  adapter_.Send("r1230\r");                                        // remote, standard
  adapter_.Send("R1ABCDEF05\r");                                   // remote, extended, length 5
  adapter_.Send(SlcanFrame(0x7FF, "", 59999));                    // empty data, last ms before the wrap
  adapter_.Send(SlcanFrame(0x100, "01", 5));                      // after the 60 s wrap
  usleep(300'000);
  child->Signal(SIGINT);
  ASSERT_EQ(child->Wait().exit_code, 0);
  const auto frames = testing::ExportedEvents(db(), "can_frame");
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0]["id"], "0x123");
  EXPECT_EQ(frames[0]["data"], "DEADBEEF");
  EXPECT_EQ(frames[0]["source"], "slcan:" + adapter_.device());
  EXPECT_EQ(frames[1]["id"], "0x12345678");
  EXPECT_EQ(frames[1]["extended"], true);
  EXPECT_EQ(frames[2]["rtr"], true);
  EXPECT_EQ(frames[3]["rtr"], true);
  EXPECT_EQ(frames[3]["dlc"], 5);
  EXPECT_EQ(frames[4]["dlc"], 0);
  // 59999 ms then 5 ms (wrapped): 6 ms apart on the adapter's clock.
  EXPECT_EQ(frames[5]["capture_ns"].get<int64_t>() - frames[4]["capture_ns"].get<int64_t>(), 6'000'000);
}

TEST_F(RecordSlcan, BurstOfFramesIsRecordedWithoutLoss) {
  auto child = Start();
  adapter_.ServeSetup();
  std::string burst;
  for (int i = 0; i < 20'000; ++i) burst += SlcanFrame(0x180 + (i % 64), fmt::format("{:08X}", i), i % 60000);
  adapter_.Send(burst);
  usleep(1'500'000);
  child->Signal(SIGINT);
  ASSERT_EQ(child->Wait().exit_code, 0);
  const auto frames = testing::ExportedEvents(db(), "can_frame");
  ASSERT_EQ(frames.size(), 20'000u);
  for (size_t i = 0; i < frames.size(); i += 997) EXPECT_EQ(frames[i]["data"], fmt::format("{:08X}", i));
}

TEST_F(RecordSlcan, MalformedLinesAreRecordedAsAnnotationsAndRecordingGoesOn) {
  auto child = Start();
  adapter_.ServeSetup();
  adapter_.Send("t12G4DEADBEEF\r");             // bad id
  adapter_.Send("t1239DEADBEEF\r");             // length 9
  adapter_.Send("t1234DEAD\r");                 // too few bytes
  adapter_.Send(std::string(100, 'x') + "\r");  // far too long
  adapter_.Send(SlcanFrame(0x321, "CAFE"));
  usleep(300'000);
  child->Signal(SIGINT);
  auto result = child->Wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto events = testing::ExportedEvents(db());
  EXPECT_EQ(Only(events, "can_frame").size(), 1u);
  const auto notes = Only(events, "annotation");
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_NE(notes[0]["text"].get<std::string>().find("malformed slcan line 't12G4DEADBEEF': expected 3 hex digits"),
            std::string::npos)
      << notes[0];
  EXPECT_NE(notes[3]["text"].get<std::string>().find("a line longer than 32 bytes"), std::string::npos) << notes[3];
}

TEST_F(RecordSlcan, AdapterWithoutTimestampsStillRecords) {
  auto child = Start();
  adapter_.ServeSetup({"Z1"});
  adapter_.Send(SlcanFrame(0x123, "01"));
  usleep(200'000);
  child->Signal(SIGINT);
  ASSERT_EQ(child->Wait().exit_code, 0);
  EXPECT_EQ(testing::ExportedEvents(db(), "can_frame").size(), 1u);
}

TEST_F(RecordSlcan, AdapterRefusingToOpenIsAClearErrorAndNoFile) {
  auto child = Start();
  adapter_.ServeSetup({"O"});
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the adapter refused to open the channel"), std::string::npos) << result.err;
  EXPECT_FALSE(testing::FileExists(db()));
}

TEST_F(RecordSlcan, SilentDeviceIsNotMistakenForAnAdapter) {
  auto child = Start();
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the adapter did not answer 'C' within 500 ms"), std::string::npos) << result.err;
}

TEST_F(RecordSlcan, RelayEvtFramesAlsoBecomeRelayChangesPointingAtTheFrame) {
  auto child = Start();
  adapter_.ServeSetup();
  adapter_.Send(SlcanFrame(0x42A, "03000207"));  // pack 0x2A: heater opened by Eco, relays 0x07
  adapter_.Send(SlcanFrame(0x42A, "0300020F"));  // inconsistent relays_after: not a valid RELAY_EVT
  usleep(300'000);
  child->Signal(SIGINT);
  ASSERT_EQ(child->Wait().exit_code, 0);
  const auto events = testing::ExportedEvents(db());
  const auto changes = Only(events, "relay_change");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0]["node"], 0x2A);
  EXPECT_EQ(changes[0]["relay"], 3);
  EXPECT_EQ(changes[0]["closed"], false);
  EXPECT_EQ(changes[0]["cause"], "RELAY_CAUSE_ECO");
  EXPECT_EQ(changes[0]["origin"], "RELAY_ORIGIN_BUS_FRAME");
  const auto frames = Only(events, "can_frame");
  EXPECT_EQ(changes[0]["evidence_seq"], frames[0]["seq"]);
}

TEST_F(RecordSlcan, UnpluggedAdapterIsReportedAndTheFileStaysValid) {
  PtyAdapter second;
  auto child = std::make_unique<Child>(std::vector<std::string>{testing::PacktwinBinary(), "record", "-o", db(), "--quiet",
                                                                "--can", "slcan:" + adapter_.device(), "--can",
                                                                "slcan:" + second.device()});
  adapter_.ServeSetup();
  second.ServeSetup();
  adapter_.Send(SlcanFrame(0x100, "01"));
  second.Send(SlcanFrame(0x200, "02"));
  usleep(200'000);
  adapter_.Unplug();
  usleep(300'000);
  second.Send(SlcanFrame(0x200, "03"));
  usleep(300'000);
  child->Signal(SIGINT);
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 1) << "a source failed during the capture";
  EXPECT_NE(result.err.find("source slcan:" + adapter_.device() + " failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("the other sources keep recording"), std::string::npos);
  const auto frames = testing::ExportedEvents(db(), "can_frame");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2]["data"], "03") << "the second adapter kept recording";
  ExpectIntact(db());
}

TEST_F(RecordSlcan, DurationAndEventLimitStopTheCapture) {
  auto timed = Start({"--duration", "500ms"});
  adapter_.ServeSetup();
  auto result = timed->Wait(5000);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("(duration reached)"), std::string::npos) << result.out;

  PtyAdapter other;
  auto limited = std::make_unique<Child>(std::vector<std::string>{testing::PacktwinBinary(), "record", "-o",
                                                                  dir_.File("limit.db"), "--quiet", "--max-events",
                                                                  "6", "--can", "slcan:" + other.device()});
  other.ServeSetup();
  for (int i = 0; i < 20; ++i) other.Send(SlcanFrame(0x100, "01"));
  result = limited->Wait(5000);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("(event limit reached)"), std::string::npos) << result.out;
}

TEST_F(RecordSlcan, ExistingOutputIsNeverOverwrittenWithoutForce) {
  testing::WriteFile(db(), "precious");
  auto child = Start();
  adapter_.ServeSetup();
  auto result = child->Wait();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("already exists; pass --force"), std::string::npos) << result.err;
  EXPECT_EQ(testing::ReadFile(db()), "precious");
}

TEST_F(RecordSlcan, FullDiskStopsTheCaptureWithAClearMessageAndAValidFile) {
  // A file-size limit stands in for a full disk: writes past it fail with EFBIG.
  const std::string command = "ulimit -f 256; exec " + testing::PacktwinBinary() + " record -o " + db() +
                              " --quiet --can slcan:" + adapter_.device();
  auto child = std::make_unique<Child>(std::vector<std::string>{"/bin/sh", "-c", command});
  adapter_.ServeSetup();
  std::string burst;
  for (int i = 0; i < 4000; ++i) burst += SlcanFrame(0x180 + (i % 64), fmt::format("{:016X}", i));
  for (int round = 0; round < 30; ++round) {
    adapter_.Send(burst);
    usleep(50'000);
  }
  auto result = child->Wait(20'000);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("free space and record again"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("events committed before the error are in"), std::string::npos) << result.err;
  auto integrity = testing::Run({"sqlite3", db(), "PRAGMA integrity_check"});
  EXPECT_EQ(integrity.out, "ok\n");
  ExpectIntact(db());
}

}  // namespace
}  // namespace packtwin
