// check's view of the BMS through a Modbus tap: a pack must use good BMS
// replies (field defect 1 throws them away) and raise BMS_COMM_LOST when its
// BMS stops answering, not while it answers.
#include <gtest/gtest.h>

#include "packtwin/eventlog/event_writer.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/check.h"
#include "packtwin/bus/firmware_frame.h"
#include "test_support.h"

namespace packtwin::twin {
namespace {

constexpr int64_t kT0 = 1795237200'000000000;
constexpr int64_t kMs = 1'000'000;
const std::string kPoll("\x01\x03\x00\x00\x00\x04\x44\x09", 8);

std::string Reply(uint16_t voltage_dV) {
  uint8_t r[firmware::kBmsReplyLen];
  firmware::EncodeBmsReply({voltage_dV, 0, 0, 0}, r);
  return std::string(reinterpret_cast<const char*>(r), sizeof r);
}

v1::Event Exchange(int64_t ms, v1::ModbusStatus status, const std::string& reply) {
  v1::Event event;
  event.set_wall_time_ns(kT0 + ms * kMs);
  event.set_capture_time_ns(kT0 + ms * kMs);
  event.set_source("modbus-rtu:/dev/ttyUSB0");
  auto* m = event.mutable_modbus();
  m->set_port("/dev/ttyUSB0");
  m->set_transport(v1::TRANSPORT_RTU);
  m->set_request(kPoll);
  m->set_reply(reply);
  m->set_status(status);
  return event;
}

v1::Event Batt(int64_t ms, uint16_t pack_cV, uint8_t status) {
  const uint8_t soc = firmware::SocFromMillivolts(pack_cV * 10u);
  return bus::EventFromFirmwareFrame(firmware::EncodeTelBatt({0x2A, pack_cV, 0, soc, 0x0F, 0, status}), kT0 + ms * kMs);
}

// 20 cycles: the BMS says `bms_dV` (or times out), the pack reports `pack_cV` with `status`.
std::vector<std::string> CheckBms(bool bms_answers, uint16_t bms_dV, uint16_t pack_cV, uint8_t status) {
  testing::TempDir dir;
  eventlog::WriterOptions options;
  options.background_commits = false;
  options.durable = false;
  {
    auto writer = eventlog::EventWriter::Create(dir.File("bms.db"), options);
    for (int cycle = 0; cycle < 20; ++cycle) {
      const int64_t t = cycle * 2000;
      if (bms_answers) {
        (void)(*writer)->Append(Exchange(t + 20, v1::MODBUS_OK, Reply(bms_dV)));
      } else {
        for (int attempt = 0; attempt < 4; ++attempt) (void)(*writer)->Append(Exchange(t + 100 + 200 * attempt, v1::MODBUS_TIMEOUT, ""));
      }
      (void)(*writer)->Append(Batt(t + 2000 - 1, pack_cV, status));
    }
    (void)(*writer)->Close();
  }
  auto reader = eventlog::EventReader::Open(dir.File("bms.db"));
  auto report = CheckLog(**reader);
  std::vector<std::string> rules;
  for (const auto& f : report->findings) rules.push_back(f.rule);
  return rules;
}

TEST(BmsWatch, PackThatUsesGoodRepliesIsClean) { EXPECT_TRUE(CheckBms(true, 520, 5200, 0).empty()); }

TEST(BmsWatch, PackThatThrowsGoodRepliesAwayIsFlagged) {
  EXPECT_EQ(CheckBms(true, 530, 5000, 0), (std::vector<std::string>{"bms-reply-not-used"}));
}

TEST(BmsWatch, SilentBmsWithoutCommLostIsFlagged) {
  EXPECT_EQ(CheckBms(false, 0, 5200, 0), (std::vector<std::string>{"bms-comm-lost-not-raised"}));
  EXPECT_TRUE(CheckBms(false, 0, 5200, firmware::kStatusBmsCommLost).empty());
}

TEST(BmsWatch, CommLostWhileTheBmsAnswersIsFlagged) {
  const auto rules = CheckBms(true, 530, 5000, firmware::kStatusBmsCommLost);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "bms-comm-lost-while-bms-answers"), rules.end());
}

}  // namespace
}  // namespace packtwin::twin
