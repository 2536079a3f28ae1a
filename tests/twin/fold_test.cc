// The twin's fold: what it learns from each frame, the changes it reports,
// and a digest that depends only on the events.
#include "packtwin/twin/fold.h"

#include <gtest/gtest.h>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/twin/twin_state.h"

namespace packtwin::twin {
namespace {

constexpr int64_t kT0 = 1795237200'000000000;

v1::Event Frame(uint64_t seq, int64_t wall_ns, const firmware::CanFrame& f) {
  v1::Event event = bus::EventFromFirmwareFrame(f, wall_ns);
  event.set_seq(seq);
  return event;
}

class Fold : public ::testing::Test {
 protected:
  void Feed(int64_t ms, const firmware::CanFrame& frame) { folder_.Fold(Frame(++seq_, kT0 + ms * 1'000'000, frame)); }
  std::vector<std::string> Texts(ChangeKind kind) const {
    std::vector<std::string> out;
    for (const auto& c : changes_) {
      if (c.kind == kind) out.push_back(ChangeText(c));
    }
    return out;
  }
  std::vector<Change> changes_;
  Folder folder_{[this](const Change& c) { changes_.push_back(c); }};
  uint64_t seq_ = 0;
};

TEST_F(Fold, TelemetryFillsThePackView) {
  Feed(0, firmware::EncodeTelBatt({0x2A, 5200, -1250, 35, 0x0B, 0x03, 0x01}));
  Feed(1, firmware::EncodeTelPower({0x2A, 300, 1800, -650, 850}));
  Feed(2, firmware::EncodeTelLoads({0x2A, 400, 0, 1234, 12, 30}));
  const PackView& p = folder_.state().packs.at(0x2A);
  EXPECT_EQ(p.soc, 35);
  EXPECT_EQ(p.pack_cV, 5200);
  EXPECT_EQ(p.relays, 0x0B);
  EXPECT_EQ(p.p_batt_W, -650);
  EXPECT_EQ(p.grid_today_Wh10, 1234);
  EXPECT_EQ(p.grid_budget_kWh, 12);
}

TEST_F(Fold, FunctionLimitAndLockoutChangesAreReported) {
  Feed(0, firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0x01, 0}));
  Feed(0, firmware::EncodeTelLoads({0x2A, 0, 0, 0, 10, 30}));
  Feed(2000, firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0E, 0x13, 0x01}));
  Feed(2000, firmware::EncodeTelLoads({0x2A, 0, 0, 0, 12, 25}));
  EXPECT_EQ(Texts(ChangeKind::kFunction), (std::vector<std::string>{"eco switched on", "grid import limit switched on"}));
  EXPECT_EQ(Texts(ChangeKind::kLockout), (std::vector<std::string>{"grid import lockout began"}));
  EXPECT_EQ(Texts(ChangeKind::kLimit), (std::vector<std::string>{"grid budget 10 -> 12 kWh", "eco limit 3000 -> 2500 W"}));
}

TEST_F(Fold, RelayEventsKeepTheCauseOfTheLastChange) {
  Feed(0, firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0x02, 0}));
  Feed(10, firmware::EncodeRelayEvt({0x2A, 3, 0, 2, 0x07}));
  const PackView& p = folder_.state().packs.at(0x2A);
  EXPECT_TRUE(p.relay[3].known);
  EXPECT_FALSE(p.relay[3].closed);
  EXPECT_EQ(p.relay[3].cause, 2);
  EXPECT_EQ(p.relay[3].changed_seq, 2u);
  EXPECT_EQ(p.relays, 0x07);
  EXPECT_EQ(Texts(ChangeKind::kRelay), (std::vector<std::string>{"relay water heater opened (eco)"}));
}

TEST_F(Fold, CommandsAcksAlarmsAndTimeAreReported) {
  Feed(0, firmware::EncodeCommand({0x7F, 0x10, 7, 2, {2, 1}}));
  Feed(1, firmware::EncodeAck({0x2A, 0x10, 7, 0}));
  Feed(2, firmware::EncodeAlarm({0x2A, 2, 1, 0, 0}));
  Feed(3, firmware::EncodeTime({0x01, 1795237200, 60, 1}));
  EXPECT_EQ(Texts(ChangeKind::kCommand), (std::vector<std::string>{"command SET_MODE eco on (seq 7) to all packs"}));
  EXPECT_EQ(Texts(ChangeKind::kAck), (std::vector<std::string>{"ACK SET_MODE (seq 7): OK"}));
  EXPECT_EQ(Texts(ChangeKind::kAlarm), (std::vector<std::string>{"alarm BMS_COMM_LOST raised"}));
  EXPECT_TRUE(folder_.state().packs.at(0x2A).alarm_active[2]);
  EXPECT_EQ(Texts(ChangeKind::kTime).size(), 1u);
}

TEST_F(Fold, NodesJoinAndLeaveAndTheMasterFollowsTheRules) {
  Feed(0, firmware::EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1}));
  Feed(0, firmware::EncodeHeartbeat({0x51, 1, 2, 6, 1, 2}));
  Feed(110'000, firmware::EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1}));
  Feed(120'001, firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0, 0}));
  EXPECT_EQ(Texts(ChangeKind::kNodeJoined).size(), 2u);
  EXPECT_EQ(Texts(ChangeKind::kNodeLeft), (std::vector<std::string>{"node 0x51 left: no heartbeat for more than 120 s"}));
  EXPECT_EQ(Texts(ChangeKind::kMaster).back(), "master by the rules is now 0x2A");
}

TEST_F(Fold, TwoMastersAndDuplicateNodeIdsAreReported) {
  Feed(0, firmware::EncodeHeartbeat({0x12, 1, 2, 5, 1, 0xAAAA}));
  Feed(5, firmware::EncodeHeartbeat({0x12, 1, 2, 5, 1, 0xBBBB}));
  Feed(6, firmware::EncodeHeartbeat({0x13, 1, 2, 5, 1, 0xCCCC}));
  EXPECT_EQ(Texts(ChangeKind::kDuplicateId), (std::vector<std::string>{"duplicate node id 0x12: serials 0000AAAA and 0000BBBB"}));
  EXPECT_FALSE(Texts(ChangeKind::kTwoMasters).empty());
}

TEST_F(Fold, BadLengthTelemetryIsCountedNotBelieved) {
  auto frame = firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0, 0});
  frame.len = 7;  // not the table's length
  Feed(0, frame);
  EXPECT_EQ(folder_.state().bad_length_frames, 1u);
  EXPECT_TRUE(folder_.state().packs.empty());
}

// A change is data: the printers make its text and its JSON fields from the
// same values, so --json readers never parse the wording.
TEST_F(Fold, ChangesCarryTheirValuesAsStructuredFieldsBesideTheText) {
  Feed(0, firmware::EncodeTelLoads({0x2A, 0, 0, 0, 10, 30}));
  Feed(2000, firmware::EncodeTelLoads({0x2A, 0, 0, 0, 12, 30}));
  Feed(2001, firmware::EncodeRelayEvt({0x2A, 3, 0, static_cast<uint8_t>(firmware::RelayCause::kEco), 0x07}));
  Feed(2002, firmware::EncodeAck({0x2A, 0x02, 9, 0}));
  ASSERT_EQ(changes_.size(), 3u);
  const auto limit = ChangeAsJson(changes_[0]);
  EXPECT_EQ(limit["kind"], "limit");
  EXPECT_EQ(limit["node"], "0x2A");
  EXPECT_EQ(limit["limit"], "grid_budget_kWh");
  EXPECT_EQ(limit["before"], 10);
  EXPECT_EQ(limit["after"], 12);
  EXPECT_EQ(limit["text"], "grid budget 10 -> 12 kWh");
  const auto relay = ChangeAsJson(changes_[1]);
  EXPECT_EQ(relay["kind"], "relay");
  EXPECT_EQ(relay["relay"], "water heater");
  EXPECT_EQ(relay["closed"], false);
  EXPECT_EQ(relay["cause"], "eco");
  EXPECT_EQ(relay["seq"], 3);
  EXPECT_EQ(relay["text"], "relay water heater opened (eco)");
  const auto ack = ChangeAsJson(changes_[2]);
  EXPECT_EQ(ack["kind"], "ack");
  EXPECT_EQ(ack["command_seq"], 9);
  EXPECT_EQ(ack["status"], "OK");
}

// The fold without a consumer builds no change (a rebuild formats nothing),
// and ends in the same state as one with a consumer.
TEST(FoldWithoutConsumer, ReachesTheSameStateAsAFoldThatReportsChanges) {
  Folder quiet;
  std::vector<Change> seen;
  Folder loud([&seen](const Change& c) { seen.push_back(c); });
  uint64_t seq = 0;
  for (const auto& frame : {firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0x01, 0}),
                            firmware::EncodeRelayEvt({0x2A, 0, 1, 1, 0x01}),
                            firmware::EncodeTelBatt({0x2A, 5200, 0, 35, 0x0F, 0x13, 0x01})}) {
    ++seq;
    const v1::Event event = Frame(seq, kT0 + static_cast<int64_t>(seq) * 1'000'000'000, frame);
    quiet.Fold(event);
    loud.Fold(event);
  }
  EXPECT_FALSE(seen.empty());
  EXPECT_EQ(TwinDigest(quiet.state()), TwinDigest(loud.state()));
}

TEST(TwinDigest, SameEventsSameDigestAndAnyDifferenceChangesIt) {
  auto run = [](uint8_t soc) {
    Folder folder;
    folder.Fold(Frame(1, kT0, firmware::EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1})));
    folder.Fold(Frame(2, kT0 + 1000, firmware::EncodeTelBatt({0x2A, 5200, 0, soc, 0x0F, 0, 0})));
    return TwinDigest(folder.state());
  };
  EXPECT_EQ(run(35), run(35));
  EXPECT_NE(run(35), run(36));
}

}  // namespace
}  // namespace packtwin::twin
