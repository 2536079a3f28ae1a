// can-protocol.md "Commands" and ACK statuses; pack-behaviour.md
// "Non-volatile storage".
#include <gtest/gtest.h>

#include "pack_sim.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

struct CommandCase {
  const char* name;
  uint8_t cmd;
  std::vector<uint8_t> args;
  AckStatus expected;
  uint8_t modes = 0;  // functions on before the command
};

class CommandAcks : public ::testing::TestWithParam<CommandCase> {};

TEST_P(CommandAcks, AckedWithTheRightStatus) {
  const CommandCase& c = GetParam();
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, c.modes));
  pack.ClearEffects();
  pack.Command(0x2A, c.cmd, 9, c.args);
  const auto acks = pack.Acks();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].cmd, c.cmd);
  EXPECT_EQ(acks[0].seq, 9);
  EXPECT_EQ(acks[0].status, static_cast<uint8_t>(c.expected));
  EXPECT_EQ(pack.Sent(CanFunction::kAck)[0].id, 0x3AAu);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCommand, CommandAcks,
    ::testing::Values(
        CommandCase{"SetModeOk", 0x10, {2, 1}, AckStatus::kOk},
        CommandCase{"SetModeBadLength", 0x10, {2}, AckStatus::kBadLength},
        CommandCase{"SetModeModeZero", 0x10, {0, 1}, AckStatus::kOutOfRange},
        CommandCase{"SetModeModeSix", 0x10, {6, 1}, AckStatus::kOutOfRange},
        CommandCase{"SetModeOnTwo", 0x10, {1, 2}, AckStatus::kOutOfRange},
        CommandCase{"SetEcoLimitOk100", 0x11, {100, 0}, AckStatus::kOk},
        CommandCase{"SetEcoLimitOk25000", 0x11, {0xA8, 0x61}, AckStatus::kOk},
        CommandCase{"SetEcoLimit99", 0x11, {99, 0}, AckStatus::kOutOfRange},
        CommandCase{"SetEcoLimit25001", 0x11, {0xA9, 0x61}, AckStatus::kOutOfRange},
        CommandCase{"SetEcoLimitBadLength", 0x11, {100}, AckStatus::kBadLength},
        CommandCase{"SetGridBudgetOk2", 0x12, {2}, AckStatus::kOk},
        CommandCase{"SetGridBudgetOk30", 0x12, {30}, AckStatus::kOk},
        CommandCase{"SetGridBudget1", 0x12, {1}, AckStatus::kOutOfRange},
        CommandCase{"SetGridBudget31", 0x12, {31}, AckStatus::kOutOfRange},
        CommandCase{"SetGridBudgetBadLength", 0x12, {10, 0}, AckStatus::kBadLength},
        CommandCase{"SetTouWindowOk", 0x13, {23, 0}, AckStatus::kOk},
        CommandCase{"SetTouWindowStartEqualsEnd", 0x13, {6, 6}, AckStatus::kOutOfRange},
        CommandCase{"SetTouWindowHour24", 0x13, {22, 24}, AckStatus::kOutOfRange},
        CommandCase{"SetTouWindowBadLength", 0x13, {22, 6, 0}, AckStatus::kBadLength},
        CommandCase{"SetRelayOk", 0x14, {3, 0}, AckStatus::kOk},
        CommandCase{"SetRelayClear", 0x14, {3, 0xFF}, AckStatus::kOk},
        CommandCase{"SetRelayRelay4", 0x14, {4, 0}, AckStatus::kOutOfRange},
        CommandCase{"SetRelayState2", 0x14, {1, 2}, AckStatus::kOutOfRange},
        CommandCase{"SetRelayRejectedByBackup", 0x14, {0, 0}, AckStatus::kRejected, kModeBackup},
        CommandCase{"SetRelayBadLength", 0x14, {1}, AckStatus::kBadLength},
        CommandCase{"ResetGridEnergyOk", 0x15, {}, AckStatus::kOk},
        CommandCase{"ResetGridEnergyBadLength", 0x15, {0}, AckStatus::kBadLength},
        CommandCase{"RequestStatusOk", 0x16, {}, AckStatus::kOk},
        CommandCase{"RequestStatusBadLength", 0x16, {1, 2}, AckStatus::kBadLength},
        CommandCase{"UnknownCommand", 0x17, {}, AckStatus::kUnknownCommand},
        CommandCase{"UnknownCommandZero", 0x00, {1, 2, 3, 4, 5, 6}, AckStatus::kUnknownCommand}),
    [](const ::testing::TestParamInfo<CommandCase>& param) { return std::string(param.param.name); });

TEST(Commands, BroadcastIsActedOnAndAckedByEveryPack) {
  PackSim a(testing::kSerial, testing::StoredSettings());
  PackSettings other = testing::StoredSettings();
  other.node_id = 0x3C;
  PackSim b(0x111111111111ull, other);
  for (PackSim* pack : {&a, &b}) {
    pack->Command(0x7F, 0x10, 7, {2, 1});
    ASSERT_EQ(pack->Acks().size(), 1u);
    EXPECT_EQ(pack->Acks()[0].node, pack->node());
    EXPECT_NE(pack->state().settings.modes & kModeEco, 0);
  }
}

TEST(Commands, AddressedToAnotherNodeIsIgnored) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  pack.Command(0x3C, 0x10, 7, {2, 1});
  EXPECT_TRUE(pack.Acks().empty());
  EXPECT_EQ(pack.state().settings.modes, 0);
}

TEST(Commands, CommandFrameShorterThanTwoBytesIsIgnoredAndCounted) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  CanFrame frame;
  frame.id = 0x02A;
  frame.len = 1;
  frame.data[0] = 0x15;
  pack.Frame(frame);
  EXPECT_TRUE(pack.Acks().empty());
  EXPECT_EQ(pack.state().counters.bad_length_frames, 1u);
}

TEST(Commands, RequestStatusSendsTheThreeTelFramesAtOnce) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  pack.ClearEffects();
  pack.Command(0x2A, 0x16, 1, {});
  ASSERT_EQ(pack.effects().size(), 4u);
  EXPECT_EQ(pack.effects()[0].frame.id, 0x3AAu);  // ACK first
  EXPECT_EQ(pack.effects()[1].frame.id, 0x1AAu);
  EXPECT_EQ(pack.effects()[2].frame.id, 0x22Au);
  EXPECT_EQ(pack.effects()[3].frame.id, 0x2AAu);
}

TEST(Commands, SetTouWindowAndLimitsAreApplied) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  pack.Command(0x2A, 0x13, 1, {22, 6});
  pack.Command(0x2A, 0x11, 2, {0xB8, 0x0B});  // 3000 W
  pack.Command(0x2A, 0x12, 3, {12});
  EXPECT_EQ(pack.state().settings.tou_start_h, 22);
  EXPECT_EQ(pack.state().settings.tou_end_h, 6);
  EXPECT_EQ(pack.state().settings.eco_limit_W, 3000);
  EXPECT_EQ(pack.state().settings.grid_budget_kWh, 12);
}

TEST(Storage, SettingsAreWrittenOnlyWhenACommandChangesThem) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  pack.ClearEffects();
  pack.Command(0x2A, 0x10, 1, {2, 1});
  pack.Command(0x2A, 0x10, 2, {2, 1});  // same again
  pack.Command(0x2A, 0x11, 3, {0x88, 0x13});  // 5000 W: the current value
  pack.Command(0x2A, 0x12, 4, {10});          // the current value
  pack.Command(0x2A, 0x13, 5, {22, 6});       // the current value
  EXPECT_EQ(pack.StorageWrites(), (std::vector<StoredSetting>{StoredSetting::kModes}));
  pack.Command(0x2A, 0x13, 6, {21, 6});
  EXPECT_EQ(pack.StorageWrites().size(), 2u);
  EXPECT_EQ(pack.state().counters.storage_writes_today, 2u);
}

TEST(Storage, SocEnergyLockoutElectionAndRelaysAreNeverStored) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeGridLimit));
  pack.SetCt(4546, 4546, 0, 0);
  pack.Command(0x2A, 0x14, 1, {3, 0});
  pack.Command(0x2A, 0x15, 2, {});
  pack.Heartbeat(0x3C, 1);
  pack.AdvanceTo(3'600'000);
  EXPECT_TRUE(pack.StorageWrites().empty());
}

TEST(Storage, WriteCounterRestartsAtTheDailyReset) {
  PackSim pack(testing::kSerial, testing::StoredSettings());
  pack.Command(0x2A, 0x10, 1, {2, 1});
  EXPECT_EQ(pack.state().counters.storage_writes_today, 1u);
  pack.AdvanceTo(24 * 3'600'000ull);
  EXPECT_EQ(pack.state().counters.storage_writes_today, 0u);
}

}  // namespace
}  // namespace packtwin::firmware
