// bridge-mqtt.md, one test per rule, named after it: the bridge reducer with
// CAN frames, app commands and time in.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/firmware/bridge_reducer.h"

namespace packtwin::firmware {
namespace {

constexpr int64_t kWall2026_ms = 1'795'233'600'000;  // 2026-11-21T04:00:00Z

// The bridge with a clock that moves as the test says.
class Bridge {
 public:
  explicit Bridge(uint8_t defects = 0, int64_t wall_ms = kWall2026_ms) : wall_start_ms_(wall_ms) {
    BridgeConfig config;
    config.serial_lo = 0xB1D6E001;
    config.defects = defects;
    state_ = std::make_unique<BridgeState>();
    BridgeInit(state_.get(), config);
    Step();
  }

  BridgeClock Clock() const {
    BridgeClock clock;
    clock.now_ms = now_ms_;
    clock.wall_ms = wall_start_ms_ + static_cast<int64_t>(now_ms_) + wall_offset_ms_;
    clock.ntp_synced = ntp_;
    clock.utc_offset_min = 60;
    return clock;
  }
  // Runs the timers at every millisecond boundary the next deadline names, to `t_ms`.
  void AdvanceTo(uint64_t t_ms) {
    // Bounded: each pass moves time forward to a deadline or to t_ms.
    while (now_ms_ < t_ms) {
      const uint64_t next = BridgeNextDeadlineMs(*state_);
      now_ms_ = next > now_ms_ && next < t_ms ? next : t_ms;
      Step();
    }
  }
  void Step() {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    Keep();
  }
  void Frame(const CanFrame& frame) {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    BridgeOnCanFrame(state_.get(), frame, Clock(), &out_);
    Keep();
  }
  void Command(const BridgeCommand& command) {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    BridgeOnCommand(state_.get(), command, Clock(), &out_);
    Keep();
  }
  void Invalid(const BridgeInvalid& invalid) {
    out_.Clear();
    BridgeOnInvalidCommand(state_.get(), invalid, Clock(), &out_);
    Keep();
  }
  void Connected() {
    out_.Clear();
    BridgeOnMqttConnected(state_.get(), Clock(), &out_);
    Keep();
  }
  // A pack that says it is there (heartbeat as slave or master).
  void Pack(uint8_t node, uint8_t role = 0, uint8_t fw_minor = 6) {
    HeartbeatFrame hb;
    hb.node = node;
    hb.device_type = 1;
    hb.fw_major = 2;
    hb.fw_minor = fw_minor;
    hb.role = role;
    hb.serial_lo = 0x1000u + node;
    Frame(EncodeHeartbeat(hb));
  }
  void Ack(uint8_t node, uint8_t cmd, uint8_t seq, AckStatus status = AckStatus::kOk) {
    Frame(EncodeAck({node, cmd, seq, static_cast<uint8_t>(status)}));
  }
  void Telemetry(uint8_t node, uint8_t soc) {
    TelBattFrame batt;
    batt.node = node;
    batt.pack_cV = 5120;
    batt.current_cA = -250;
    batt.soc = soc;
    batt.relays = 0x3;
    batt.modes = 0x3;
    Frame(EncodeTelBatt(batt));
    Frame(EncodeTelPower({node, 100, 900, -800, 0}));
    Frame(EncodeTelLoads({node, 0, 0, 123, 10, 30}));
  }
  void StepClock(int64_t by_ms) { wall_offset_ms_ += by_ms; }
  void SetNtp(bool ntp) { ntp_ = ntp; }
  void ClearSeen() {
    can_.clear();
    pubs_.clear();
  }
  const std::vector<CanFrame>& can() const { return can_; }
  const std::vector<BridgePublication>& pubs() const { return pubs_; }
  std::vector<CanFrame> Sent(CanFunction function) const {
    std::vector<CanFrame> out;
    for (const auto& f : can_) {
      if ((f.id >> 7) == static_cast<uint32_t>(function)) out.push_back(f);
    }
    return out;
  }
  std::vector<BridgePublication> Published(BridgeTopic topic) const {
    std::vector<BridgePublication> out;
    for (const auto& p : pubs_) {
      if (p.topic == topic) out.push_back(p);
    }
    return out;
  }
  uint64_t now_ms() const { return now_ms_; }
  const BridgeState& state() const { return *state_; }

 private:
  void Keep() {
    for (uint8_t i = 0; i < out_.can_count; ++i) can_.push_back(out_.can[i]);
    for (uint8_t i = 0; i < out_.publication_count; ++i) pubs_.push_back(out_.publications[i]);
  }
  int64_t wall_start_ms_;
  int64_t wall_offset_ms_ = 0;
  bool ntp_ = true;
  uint64_t now_ms_ = 0;
  std::unique_ptr<BridgeState> state_;
  BridgeOutputs out_;
  std::vector<CanFrame> can_;
  std::vector<BridgePublication> pubs_;
};

BridgeCommand Cmd(BridgeCommandName name, const char* id, uint8_t node = kBroadcastNodeId) {
  BridgeCommand c;
  c.name = name;
  c.id.Set(id);
  c.node = node;
  return c;
}

BridgeCommand ModeOn(const char* id, uint8_t mode = 2) {
  BridgeCommand c = Cmd(BridgeCommandName::kMode, id);
  c.mode = mode;
  c.on = true;
  return c;
}

// --- CAN side ---

TEST(BridgeCan, HeartbeatAtStartAndEvery10sAsABridgeObserverWithFirmware1_0) {
  Bridge bridge;
  bridge.AdvanceTo(30'000);
  const auto beats = bridge.Sent(CanFunction::kHeartbeat);
  ASSERT_EQ(beats.size(), 4u) << "at 0, 10, 20 and 30 s";
  HeartbeatFrame hb;
  ASSERT_EQ(DecodeHeartbeat(beats[0], &hb), DecodeStatus::kOk);
  EXPECT_EQ(hb.node, 0x01);
  EXPECT_EQ(hb.device_type, 3);
  EXPECT_EQ(hb.fw_major, 1);
  EXPECT_EQ(hb.fw_minor, 0);
  EXPECT_EQ(hb.role, 2);
  EXPECT_EQ(hb.serial_lo, 0xB1D6E001u);
}

TEST(BridgeCan, TimeAtStartAndEvery60s) {
  Bridge bridge;
  bridge.AdvanceTo(120'000);
  const auto times = bridge.Sent(CanFunction::kTime);
  ASSERT_EQ(times.size(), 3u) << "at 0, 60 and 120 s";
  TimeFrame time;
  ASSERT_EQ(DecodeTime(times[1], &time), DecodeStatus::kOk);
  EXPECT_EQ(time.node, 0x01);
  EXPECT_EQ(time.unix_s, static_cast<uint32_t>((kWall2026_ms + 60'000) / 1000));
  EXPECT_EQ(time.utc_offset_min, 60);
}

TEST(BridgeCan, TimeAtOnceWhenTheClockStepsByMoreThan2s) {
  Bridge bridge;
  bridge.AdvanceTo(10'000);
  bridge.ClearSeen();
  bridge.StepClock(2'000);  // exactly 2 s: not a step
  bridge.AdvanceTo(15'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty());
  bridge.StepClock(-2'001);
  bridge.AdvanceTo(15'001);
  ASSERT_EQ(bridge.Sent(CanFunction::kTime).size(), 1u) << "a step back of more than 2 s";
  bridge.ClearSeen();
  bridge.AdvanceTo(75'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty()) << "the 60 s period starts again from the step";
  bridge.AdvanceTo(75'001);
  EXPECT_EQ(bridge.Sent(CanFunction::kTime).size(), 1u);
}

TEST(BridgeCan, TimeFlagsBit0IsSetWhenTheHostClockIsNtpSynchronised) {
  Bridge bridge;
  bridge.SetNtp(false);
  bridge.AdvanceTo(60'000);
  const auto times = bridge.Sent(CanFunction::kTime);
  ASSERT_EQ(times.size(), 2u);
  TimeFrame synced;
  TimeFrame unsynced;
  ASSERT_EQ(DecodeTime(times[0], &synced), DecodeStatus::kOk);
  ASSERT_EQ(DecodeTime(times[1], &unsynced), DecodeStatus::kOk);
  EXPECT_EQ(synced.flags & 1, 1);
  EXPECT_EQ(unsynced.flags & 1, 0);
}

TEST(BridgeCan, NeverSendsTimeWhileItsClockIsBefore2024) {
  Bridge bridge(0, 1'600'000'000'000);  // 2020: the clock was never set
  bridge.AdvanceTo(180'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty());
  EXPECT_EQ(bridge.Sent(CanFunction::kHeartbeat).size(), 19u) << "heartbeats go on";
}

TEST(BridgeCan, KeepsTheNodeTableAndMasterAsTheFleetReducerAndNeverElectsItself) {
  Bridge bridge;
  bridge.AdvanceTo(1'000);
  EXPECT_EQ(bridge.state().fleet.master, 0) << "alone, the bridge is no master";
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  EXPECT_EQ(bridge.state().fleet.master, 0x2B) << "the live pack with the highest id";
  bridge.AdvanceTo(140'000);
  EXPECT_EQ(bridge.state().fleet.master, 0) << "both expired after 120 s";
}

// --- MQTT side ---

TEST(BridgeMqtt, OnlineIsPublishedRetainedOnceConnected) {
  Bridge bridge;
  bridge.Connected();
  const auto status = bridge.Published(BridgeTopic::kStatus);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status[0].online);
  EXPECT_TRUE(status[0].retained);
}

TEST(BridgeMqtt, OnConnectingTheRetainedInfoOfLiveNodesAndTheMasterArePublishedAgain) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.ClearSeen();
  bridge.Connected();  // e.g. the broker restarted without persistence
  const auto info = bridge.Published(BridgeTopic::kInfo);
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].node, 0x2A);
  EXPECT_TRUE(info[1].retained);
  const auto master = bridge.Published(BridgeTopic::kMaster);
  ASSERT_EQ(master.size(), 1u);
  EXPECT_EQ(master[0].master, 0x2B);
}

TEST(BridgeMqtt, TelemetryWhenTelLoadsArrivesFromThatCyclesThreeFramesWithTheArrivalTime) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.AdvanceTo(2'000);
  bridge.Telemetry(0x2A, 64);
  const auto telemetry = bridge.Published(BridgeTopic::kTelemetry);
  ASSERT_EQ(telemetry.size(), 1u) << "one publication a cycle, on TEL_LOADS";
  EXPECT_FALSE(telemetry[0].retained);
  EXPECT_EQ(telemetry[0].node, 0x2A);
  EXPECT_EQ(telemetry[0].batt.soc, 64);
  EXPECT_EQ(telemetry[0].power.p_batt_W, -800);
  EXPECT_EQ(telemetry[0].loads.grid_today_Wh10, 123);
  EXPECT_EQ(telemetry[0].ts_ms, kWall2026_ms + 2'000);
}

TEST(BridgeMqtt, TelemetryIsNotPublishedBeforeACycleHasAllThreeFrames) {
  Bridge bridge;
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

TEST(BridgeMqtt, RelayIsPublishedOnEachRelayEvt) {
  Bridge bridge;
  bridge.Frame(EncodeRelayEvt({0x2A, 2, 1, 6, 0x7}));
  bridge.Frame(EncodeRelayEvt({0x2A, 2, 0, 7, 0x3}));
  const auto relays = bridge.Published(BridgeTopic::kRelay);
  ASSERT_EQ(relays.size(), 2u);
  EXPECT_EQ(relays[0].relay.relay, 2);
  EXPECT_EQ(relays[0].relay.closed, 1);
  EXPECT_EQ(relays[0].relay.cause, 6);
  EXPECT_FALSE(relays[0].retained);
}

TEST(BridgeMqtt, AlarmIsPublishedOnEachAlarm) {
  Bridge bridge;
  bridge.Frame(EncodeAlarm({0x2A, 1, 1, 0x0010, 452}));
  const auto alarms = bridge.Published(BridgeTopic::kAlarm);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].alarm.bms_alarm_bits, 0x0010);
  EXPECT_EQ(alarms[0].alarm.temp_dC, 452);
}

TEST(BridgeMqtt, InfoIsRetainedWhenANodeJoinsChangesRoleOrFirmwareOrExpires) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2A);  // the same again: nothing new
  bridge.Pack(0x2A, /*role=*/1);
  bridge.Pack(0x2A, 1, /*fw_minor=*/7);
  bridge.AdvanceTo(130'001);
  const auto info = bridge.Published(BridgeTopic::kInfo);
  ASSERT_EQ(info.size(), 4u) << "joined, role, firmware, expired";
  EXPECT_TRUE(info[0].retained);
  EXPECT_TRUE(info[0].online);
  EXPECT_EQ(info[1].info.role, 1);
  EXPECT_EQ(info[2].info.fw_minor, 7);
  EXPECT_FALSE(info[3].online);
}

TEST(BridgeMqtt, MasterIsRetainedWhenTheMasterByTheRulesChangesAndNullWhenNoNodeIsLive) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.AdvanceTo(125'000);
  const auto master = bridge.Published(BridgeTopic::kMaster);
  ASSERT_EQ(master.size(), 3u);
  EXPECT_EQ(master[0].master, 0x2A);
  EXPECT_EQ(master[1].master, 0x2B);
  EXPECT_EQ(master[2].master, 0) << "null: no node is live";
  EXPECT_TRUE(master[2].retained);
}

TEST(BridgeMqtt, AggregateOnEachFleetFrameFromTheMasterOnly) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B, 1);
  bridge.Frame(EncodeFleet({0x2B, 2, 55, -160, 30, 25}));
  bridge.Frame(EncodeFleet({0x2A, 9, 99, 0, 0, 0}));  // not the master
  const auto aggregate = bridge.Published(BridgeTopic::kAggregate);
  ASSERT_EQ(aggregate.size(), 1u);
  EXPECT_EQ(aggregate[0].master, 0x2B);
  EXPECT_EQ(aggregate[0].aggregate.packs_online, 2);
  EXPECT_EQ(aggregate[0].aggregate.avg_soc, 55);
  EXPECT_EQ(aggregate[0].aggregate.p_batt_total_10W, -160);
}

// --- Commands ---

struct CommandCase {
  BridgeCommand command;
  std::vector<uint8_t> data;  // the COMMAND frame's bytes, seq 0
};

TEST(BridgeCommands, EachCommandGoesOnCanAsItsCommandFrame) {
  std::vector<CommandCase> cases;
  cases.push_back({ModeOn("a", 2), {0x10, 0, 2, 1}});
  BridgeCommand eco = Cmd(BridgeCommandName::kEcoLimit, "b");
  eco.watts = 3000;
  cases.push_back({eco, {0x11, 0, 0xB8, 0x0B}});
  BridgeCommand budget = Cmd(BridgeCommandName::kGridBudget, "c");
  budget.kwh = 12;
  cases.push_back({budget, {0x12, 0, 12}});
  BridgeCommand tou = Cmd(BridgeCommandName::kTouWindow, "d");
  tou.start_h = 22;
  tou.end_h = 6;
  cases.push_back({tou, {0x13, 0, 22, 6}});
  BridgeCommand relay = Cmd(BridgeCommandName::kRelay, "e");
  relay.relay = 3;
  relay.relay_state = 0xFF;
  cases.push_back({relay, {0x14, 0, 3, 0xFF}});
  cases.push_back({Cmd(BridgeCommandName::kResetGridEnergy, "f"), {0x15, 0}});
  cases.push_back({Cmd(BridgeCommandName::kRequestStatus, "g"), {0x16, 0}});
  for (const auto& c : cases) {
    Bridge bridge;
    bridge.ClearSeen();
    bridge.Command(c.command);
    const auto sent = bridge.Sent(CanFunction::kCommand);
    ASSERT_EQ(sent.size(), 1u) << c.command.id.text;
    EXPECT_EQ(sent[0].id, 0x07Fu);
    EXPECT_EQ(std::vector<uint8_t>(sent[0].data, sent[0].data + sent[0].len), c.data) << c.command.id.text;
  }
}

TEST(BridgeCommands, AValidCommandGoesOnCanAtOnceAsOneFrameBroadcastOrToItsNode) {
  Bridge bridge;
  bridge.ClearSeen();
  BridgeCommand to_one = ModeOn("one");
  to_one.node = 0x2A;
  bridge.Command(to_one);
  ASSERT_EQ(bridge.can().size(), 1u) << "in the same step: well within 100 ms";
  EXPECT_EQ(bridge.can()[0].id, 0x02Au);
}

TEST(BridgeCommands, SequenceNumbersGoOnAndWrapAfter255) {
  Bridge bridge;
  bridge.ClearSeen();
  for (int i = 0; i < 258; ++i) {
    bridge.Command(Cmd(BridgeCommandName::kRequestStatus, std::to_string(i).c_str()));
    bridge.AdvanceTo(bridge.now_ms() + 3'000);  // results settle; slots free
  }
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 258u);
  EXPECT_EQ(sent[0].data[1], 0);
  EXPECT_EQ(sent[255].data[1], 255);
  EXPECT_EQ(sent[256].data[1], 0) << "wraps";
}

TEST(BridgeCommands, ResultAfter2500msIsOkPartialOrFailedByTheAcksOfPacksLiveWhenSent) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Command(ModeOn("ok"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.Ack(0x2B, 0x10, 0);
  bridge.Pack(0x2C);  // joined after the send: not expected
  bridge.AdvanceTo(2'499);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kResult).empty()) << "not before 2.5 s";
  bridge.AdvanceTo(2'500);
  bridge.Command(ModeOn("partial"));
  bridge.Ack(0x2A, 0x10, 1);
  bridge.Ack(0x2B, 0x10, 1, AckStatus::kRejected);
  bridge.AdvanceTo(5'000);
  bridge.Command(ModeOn("failed"));
  bridge.AdvanceTo(7'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kOk);
  EXPECT_FALSE(results[0].result.expected.Has(0x2C));
  EXPECT_EQ(results[1].result.status, BridgeResultStatus::kPartial);
  EXPECT_EQ(results[1].result.ack[0x2B], static_cast<uint8_t>(AckStatus::kRejected) + 1);
  EXPECT_EQ(results[2].result.status, BridgeResultStatus::kFailed);
  EXPECT_TRUE(results[2].result.expected.Has(0x2C)) << "missing: expected and silent";
  EXPECT_EQ(results[2].result.ack[0x2C], 0);
}

TEST(BridgeCommands, AnInvalidCommandGetsAnInvalidResultNamingTheKeyAndNothingOnCan) {
  Bridge bridge;
  bridge.ClearSeen();
  BridgeInvalid invalid;
  invalid.has_id = true;
  invalid.id.Set("x1");
  invalid.error.Set("watts: 99 is out of range 100..25000");
  bridge.Invalid(invalid);
  EXPECT_TRUE(bridge.can().empty());
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kInvalid);
  EXPECT_STREQ(results[0].result.error.text, "watts: 99 is out of range 100..25000");
}

TEST(BridgeCommands, ACommandIdSeenInTheLast60sIsNotSentAgainAndItsResultIsPublishedAgain) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Command(ModeOn("press-1"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.AdvanceTo(3'000);
  bridge.Command(ModeOn("press-1"));  // redelivered by QoS 1
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 1u);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].result.status, BridgeResultStatus::kOk);
  EXPECT_EQ(results[1].result.seq, 0);
  bridge.AdvanceTo(61'001);
  bridge.Command(ModeOn("press-1"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 2u) << "after 60 s the id is new again";
}

TEST(BridgeCommands, ASeventeenthCommandWithin2500msIsRefusedAsBusyAndNothingGoesOnCan) {
  Bridge bridge;
  bridge.ClearSeen();
  for (int i = 0; i < 17; ++i) bridge.Command(Cmd(BridgeCommandName::kRequestStatus, std::to_string(i).c_str()));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 16u);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kFailed);
  EXPECT_STREQ(results[0].result.id.text, "16");
  EXPECT_EQ(std::string(results[0].result.error.text).rfind("busy", 0), 0u);
}

// --- Bridge 1.0's known defects, emulated ---

TEST(BridgeDefects, Defect1ModeCommandsGoOutWithOnZero) {
  Bridge bridge(kBridgeDefectModeValueKey);
  bridge.Command(ModeOn("m"));
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].data[3], 0);
}

TEST(BridgeDefects, Defect2CommandsGoToTheMastersIdInsteadOfBroadcast) {
  Bridge bridge(kBridgeDefectCommandsToMaster);
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Command(ModeOn("m"));
  bridge.Ack(0x2B, 0x10, 0);
  bridge.AdvanceTo(3'000);
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].id, 0x02Bu);
  EXPECT_EQ(bridge.Published(BridgeTopic::kResult)[0].result.status, BridgeResultStatus::kPartial);
}

TEST(BridgeDefects, Defect3AckFramesAreReadAsTelBattAndPublishedWithABogusSoc) {
  Bridge bridge(kBridgeDefectTelBattByMask);
  bridge.Pack(0x2A);
  bridge.Telemetry(0x2A, 64);
  bridge.Ack(0x2A, 0x10, 7);
  const auto telemetry = bridge.Published(BridgeTopic::kTelemetry);
  ASSERT_EQ(telemetry.size(), 2u);
  EXPECT_EQ(telemetry[1].batt.soc, 0) << "byte 4 of a 3-byte ACK";
  EXPECT_EQ(telemetry[1].batt.pack_cV, 0x0710);
}

TEST(BridgeDefects, Defect4TheAggregateKeepsPacksThatLeft) {
  Bridge bridge(kBridgeDefectAggregateNoTtl);
  bridge.Pack(0x2A);
  bridge.Telemetry(0x2A, 40);
  bridge.AdvanceTo(100'000);
  bridge.Pack(0x2B, 1);
  bridge.Telemetry(0x2B, 80);
  bridge.AdvanceTo(200'000);  // 0x2A left at 120 s
  bridge.Pack(0x2B, 1);
  bridge.Frame(EncodeFleet({0x2B, 1, 80, -80, 0, 12}));
  const auto aggregate = bridge.Published(BridgeTopic::kAggregate);
  ASSERT_EQ(aggregate.size(), 1u);
  EXPECT_EQ(aggregate[0].aggregate.packs_online, 2) << "counts 0x2A, which left";
  EXPECT_EQ(aggregate[0].aggregate.avg_soc, 60);
}

TEST(BridgeDefects, Defect5ARedeliveredCommandGoesOnCanAgain) {
  Bridge bridge(kBridgeDefectResendsRedelivered);
  bridge.Command(ModeOn("press-1"));
  bridge.Command(ModeOn("press-1"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 2u);
}

}  // namespace
}  // namespace packtwin::firmware

namespace packtwin::firmware {
namespace {

// can-protocol.md: a frame whose length differs from the table is ignored.
// The bridge publishes nothing from it and keeps no half of a cycle.
TEST(BridgeCan, AFrameOfTheWrongLengthIsIgnoredAndPublishesNothing) {
  Bridge bridge;
  bridge.ClearSeen();
  for (CanFrame frame : {EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0}), EncodeTelPower({0x2A, 1, 2, 3, 4}),
                         EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}), EncodeRelayEvt({0x2A, 2, 1, 6, 0x7}),
                         EncodeAlarm({0x2A, 1, 1, 0x10, 452}), EncodeFleet({0x2A, 1, 50, 0, 0, 0}),
                         EncodeAck({0x2A, 0x10, 1, 0})}) {
    frame.len = static_cast<uint8_t>(frame.len - 1);
    bridge.Frame(frame);
  }
  EXPECT_TRUE(bridge.pubs().empty()) << bridge.pubs().size() << " publications from refused frames";
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty()) << "the refused TEL_BATT and TEL_POWER count for nothing";
}

// can-protocol.md: a receiver matches ids exactly; extended, remote and error
// frames, and ids outside protocol v1, are none of its frames.
TEST(BridgeCan, FramesOutsideProtocolV1AreIgnored) {
  Bridge bridge;
  bridge.ClearSeen();
  CanFrame extended = EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0});
  extended.extended = true;
  CanFrame remote = EncodeAlarm({0x2A, 1, 1, 0x10, 452});
  remote.remote = true;
  CanFrame unknown;
  unknown.id = 0x4AA;  // function 9: not in the table
  unknown.len = 1;
  for (const CanFrame& frame : {extended, remote, unknown}) bridge.Frame(frame);
  EXPECT_TRUE(bridge.pubs().empty());
}

// bridge-mqtt.md: info is republished when what the heartbeat says changes,
// whichever field it is.
TEST(BridgeMqtt, InfoIsRetainedAgainWhenTheDeviceTypeOrSerialChanges) {
  Bridge bridge;
  bridge.Pack(0x2A);
  HeartbeatFrame hb{0x2A, 1, 2, 6, 0, 0x1000u + 0x2A};
  hb.serial_lo = 0xCAFE;
  bridge.Frame(EncodeHeartbeat(hb));
  hb.device_type = 2;  // the node is now a gateway
  bridge.Frame(EncodeHeartbeat(hb));
  EXPECT_EQ(bridge.Published(BridgeTopic::kInfo).size(), 3u) << "joined, serial, device type";
}

// Defect 3 reads any standard data frame with id bits 0x180 set as TEL_BATT;
// an extended or remote frame with those bits is not a standard data frame.
TEST(BridgeDefects, Defect3LeavesExtendedAndRemoteFramesAlone) {
  Bridge bridge(kBridgeDefectTelBattByMask);
  bridge.ClearSeen();
  CanFrame ack = EncodeAck({0x2A, 0x10, 1, 0});
  ack.extended = true;
  bridge.Frame(ack);
  ack.extended = false;
  ack.remote = true;
  bridge.Frame(ack);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

// bridge-mqtt.md: telemetry needs all three frames of a cycle.
TEST(BridgeMqtt, TelemetryNeedsTelPowerAsWellAsTelBatt) {
  Bridge bridge;
  bridge.Frame(EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0}));
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

// The frames the bridge sends itself, and commands of another bridge, publish nothing.
TEST(BridgeMqtt, TimeAndCommandFramesOnTheBusPublishNothing) {
  Bridge bridge;
  bridge.ClearSeen();
  bridge.Frame(EncodeTime({0x05, 1'795'233'600, 60, 1}));
  bridge.Frame(EncodeCommand({0x2A, 0x16, 3, 0, {}}));
  EXPECT_TRUE(bridge.pubs().empty());
}

// An ACK counts once per node, and only for the command it answers.
TEST(BridgeCommands, AnAckForNoPendingCommandOrASecondAckFromTheSameNodeChangesNothing) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Ack(0x2A, 0x10, 9);  // nothing was sent
  bridge.Command(ModeOn("once"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.Ack(0x2A, 0x10, 0, AckStatus::kRejected);  // a second answer does not overwrite the first
  bridge.AdvanceTo(2'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kOk);
}

// A redelivery before the first delivery's result: nothing on CAN, no result yet.
TEST(BridgeCommands, ARedeliveryBeforeItsResultWaitsForItAndGoesNotOnCan) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Command(ModeOn("early"));
  bridge.Command(ModeOn("early"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 1u);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kResult).empty());
}

// Defect 2 addresses "all" to the master; with no master there is none to address.
TEST(BridgeDefects, Defect2WithoutAMasterStillBroadcasts) {
  Bridge bridge(kBridgeDefectCommandsToMaster);
  bridge.Command(ModeOn("m"));
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].id, 0x07Fu);
}

// The packs a result expects: addressed, live, and Energy-Packs (not gateways).
TEST(BridgeCommands, AResultExpectsOnlyLiveEnergyPacksItAddressed) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Frame(EncodeHeartbeat({0x30, 2, 1, 0, 2, 0x3030}));  // a gateway
  bridge.Command(Cmd(BridgeCommandName::kRequestStatus, "to-2a", 0x2A));
  bridge.Command(Cmd(BridgeCommandName::kRequestStatus, "all"));
  bridge.AdvanceTo(2'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].result.expected.Has(0x2A));
  EXPECT_FALSE(results[0].result.expected.Has(0x2B)) << "not addressed";
  EXPECT_TRUE(results[1].result.expected.Has(0x2B));
  EXPECT_FALSE(results[1].result.expected.Has(0x30)) << "a gateway acks no command";
}

TEST(BridgeCan, ABridgeNotYetStartedHasNoDeadline) {
  BridgeState state;
  EXPECT_EQ(BridgeNextDeadlineMs(state), 0u);
}

}  // namespace
}  // namespace packtwin::firmware
