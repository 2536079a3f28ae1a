// A scenario: a site, a timeline of stimuli and the expectations the run must
// meet. Written by people as JSON (scenarios/README.md documents every key);
// parsed strictly: unknown keys and wrong types are errors naming the JSON path.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/firmware/can_frame.h"
#include "packtwin/replay/sim_engine.h"

namespace packtwin::replay {

// BMS registers and loads, each a value that steps or ramps over time.
enum Channel : uint8_t {
  kVoltageMv,
  kCurrentMa,
  kAlarmBits,
  kTemperatureDc,
  kGridW,
  kHomeW,
  kPoolW,
  kHeaterW,
  kNoiseW,
  kChannelCount,
};

struct ScenarioPack {
  SimPackConfig sim;
  std::array<int64_t, kChannelCount> initial{};
  uint16_t field_defects = 0;  // bit N: emulate firmware 2.5's known field defect N
};

enum class StimulusKind : uint8_t {
  kSet,            // channels step (or ramp over `until_ms`) to new values
  kFrame,          // a frame onto the bus: a bridge command, a TIME, raw bytes
  kBmsTimeout,     // the BMS stays silent
  kCrcError,       // the BMS's replies arrive with a broken CRC
  kException,      // the BMS answers with an exception code
  kPowerOff,
  kPowerOn,
  kDuplicateSerial,  // the pack restarts with another pack's serial (a cloned unit)
  kTimeJump,       // the bridge's clock jumps; it sends TIME at once
  kRelayWelded,    // a relay's contacts weld: its load flows while the relay is open
  kGatewayJoin,
  kGatewayLeave,
  kMqtt,           // the app publishes on the site's broker (a command, or raw bytes)
};

struct Stimulus {
  std::string path;  // "$.timeline[3]"
  std::string text;  // what it does, for the log's annotation
  int64_t at_ms = 0;
  int64_t until_ms = kNeverMs;  // end of a ramp or a fault
  StimulusKind kind = StimulusKind::kSet;
  int pack = -1;
  std::vector<std::pair<Channel, int64_t>> targets;  // kSet
  firmware::CanFrame frame;                          // kFrame
  uint8_t exception_code = 4;  // kException: the Modbus exception the BMS answers with
  int64_t jump_ms = 0;         // kTimeJump: how far the bridge's clock jumps
  int serial_of_pack = 0;      // kDuplicateSerial: the pack whose serial is cloned
  uint8_t relay = 0;           // kRelayWelded: the relay that sticks
  bool is_command = false;  // kFrame: a bridge command (ACK expectations look for it)
  std::string mqtt_topic;    // kMqtt
  std::string mqtt_payload;  // kMqtt: as published (JSON text, or any bytes)
};

enum class Subject : uint8_t { kRelay, kStatus, kMaster, kSoc, kNodeId, kAck, kPublication };

struct Expectation {
  std::string path;
  std::string text;  // "pack A relay heater open"
  bool never = false;
  int64_t at_ms = 0;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  Subject subject = Subject::kRelay;
  int pack = -1;          // -1: the site
  uint8_t relay = 0;
  uint8_t status_bit = 0;
  bool on = true;         // closed / active
  int master = -1;        // pack index; kMasterGateway; kMasterNone
  int64_t value = 0;      // soc, node id
  uint8_t ack_cmd = 0;
  int ack_seq = -1;       // -1: the latest command of that kind
  uint8_t ack_status = 0;
  std::string topic;   // kPublication: an MQTT topic (filter wildcards allowed)
  std::string fields;  // kPublication: a JSON object every key of which the payload must carry with that value
};
// A publication expectation `at` T holds when one matches in [T - this, T].
inline constexpr int64_t kPublicationWindowMs = 5'000;
inline constexpr int kMasterGateway = -2;
inline constexpr int kMasterNone = -3;

struct CheckExpectation {
  bool present = false;
  std::string path;
  bool clean = true;
  std::vector<std::string> rules;  // each must be reported (when !clean)
};

struct Scenario {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  SimSiteConfig site;
  std::vector<ScenarioPack> packs;
  // The site's bridge on MQTT: the bridge reducer (firmware/bridge_reducer.h)
  // answers the app's commands and publishes; bridge 1.0's defects by bit.
  bool mqtt_bridge = false;
  uint8_t bridge_defects = 0;
  std::vector<Stimulus> timeline;     // sorted by time, stable
  std::vector<Expectation> expectations;
  CheckExpectation check;
};

// `source` names the file in messages ("scenarios/eco.json: $.timeline[2].at: ...").
Result<Scenario> ParseScenario(const std::string& json_text, const std::string& source);
Result<Scenario> LoadScenario(const std::string& path);

}  // namespace packtwin::replay
