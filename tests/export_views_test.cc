// What `export` shows of a capture: each protocol-v1 frame's signals by name
// and unit, frames picked by name, the events around a finding's evidence,
// and interface names that can-utils takes as they are.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "packtwin/eventlog/event_writer.h"
#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::SourceDir;
using testing::TempDir;

std::string ImportCapture(const TempDir& dir, const std::string& name) {
  const std::string db = dir.File("capture.db");
  auto result = Packtwin({"import", SourceDir() + "/scenarios/captures/" + name, "-o", db, "--force"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return db;
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(ExportSignals, EachProtocolFrameCarriesItsSignalsByNameWithTheUnitLast) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  auto result = Packtwin({"export", db, "--format", "jsonl", "--frames", "TEL_BATT"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    ASSERT_EQ(line["name"], "TEL_BATT") << line.dump();
    const auto& signals = line["signals"];
    const std::string data = line["data"];
    const auto byte = [&](size_t i) { return std::stoi(data.substr(2 * i, 2), nullptr, 16); };
    EXPECT_EQ(signals["soc_pct"], byte(4)) << line.dump();
    EXPECT_DOUBLE_EQ(signals["pack_V"].get<double>(), (byte(0) + 256 * byte(1)) / 100.0) << line.dump();
    EXPECT_EQ(signals["relay_grid"], byte(5) & 1);
    EXPECT_EQ(line["values"]["relay_grid"], (byte(5) & 1) ? "closed" : "open");
  }
}

TEST(ExportSignals, AFrameTheFirmwareRefusesSaysWhyInsteadOfSignals) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "field-defect-10-15-byte-telemetry.log");
  auto result = Packtwin({"export", db, "--format", "jsonl", "--frames", "TEL_BATT,TEL_POWER,TEL_LOADS"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  size_t refused = 0;
  for (const auto& line : Lines(result.out)) {
    if (!line.contains("decode")) continue;
    ++refused;
    EXPECT_EQ(line["decode"], "bad_length") << line.dump();
    EXPECT_FALSE(line.contains("signals"));
  }
  EXPECT_GT(refused, 0u) << "the capture's defect: telemetry frames of the wrong length";
}

TEST(ExportFilter, FramesTakesProtocolNamesAndAnUnknownNameListsThem) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  auto both = Packtwin({"export", db, "--format", "candump", "--frames", "RELAY_EVT", "--ids", "0x700-0x77F"});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  std::istringstream lines(both.out);
  std::string line;
  size_t relay = 0, heartbeat = 0;
  while (std::getline(lines, line)) {
    const size_t hash = line.find('#');
    const uint32_t id = static_cast<uint32_t>(std::stoul(line.substr(line.rfind(' ', hash) + 1, hash), nullptr, 16));
    if (id >= 0x400 && id <= 0x47F) ++relay;
    else if (id >= 0x700 && id <= 0x77F) ++heartbeat;
    else ADD_FAILURE() << "not picked: " << line;
  }
  EXPECT_GT(relay, 0u);
  EXPECT_GT(heartbeat, 0u);
  auto unknown = Packtwin({"export", db, "--format", "candump", "--frames", "TEL_BAT"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_NE(unknown.err.find("no frame named 'TEL_BAT'; protocol v1 has COMMAND, ALARM, TIME, TEL_BATT"),
            std::string::npos)
      << unknown.err;
}

TEST(ExportFilter, AroundShowsTheEventsAroundASequenceNumber) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  auto around = Packtwin({"export", db, "--format", "jsonl", "--around", "50", "--context", "3"});
  ASSERT_EQ(around.exit_code, 0) << around.err;
  const auto lines = Lines(around.out);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines.front()["seq"], 47);
  EXPECT_EQ(lines.back()["seq"], 53);
  auto start = Packtwin({"export", db, "--format", "jsonl", "--around", "2"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(Lines(start.out).front()["seq"], 1) << "the context stops at the log's first event";
  auto beyond = Packtwin({"export", db, "--format", "jsonl", "--around", "999999"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.err.find("--around 999999: "), std::string::npos) << beyond.err;
  EXPECT_NE(beyond.err.find("holds events 1 to "), std::string::npos) << beyond.err;
  auto mixed = Packtwin({"export", db, "--format", "jsonl", "--around", "5", "--from", "10s"});
  EXPECT_EQ(mixed.exit_code, 64);
}

std::vector<std::vector<std::string>> CsvRows(const std::string& text) { return testing::SplitTable(text, ','); }

TEST(ExportCsv, EachChangeOfAPacksTelemetryIsARowNamedWithUnitsInTheHeader) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  auto csv = Packtwin({"export", db, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = CsvRows(csv.out);
  ASSERT_GT(rows.size(), 10u);
  const auto& header = rows[0];
  ASSERT_GE(header.size(), 8u);
  EXPECT_EQ(std::vector<std::string>(header.begin(), header.begin() + 8),
            (std::vector<std::string>{"time_utc", "time_s", "node", "pack_V", "current_A", "soc_pct", "relay_grid",
                                      "relay_inverter_output"}));
  EXPECT_NE(std::find(header.begin(), header.end(), "grid_today_Wh"), header.end());
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  // The last row of each pack holds the signals of its last telemetry frames.
  std::map<std::string, std::vector<std::string>> last_row;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << "row " << i;
    last_row[rows[i][2]] = rows[i];
  }
  EXPECT_EQ(last_row.size(), 3u) << "three packs, and no row for the bridge";
  std::map<std::string, nlohmann::json> last_signals;
  for (const auto& e : testing::ExportedEvents(db, "can_frame")) {
    if (!e.contains("signals") || !e.contains("node")) continue;
    const std::string name = e["name"];
    if (name != "TEL_BATT" && name != "TEL_POWER" && name != "TEL_LOADS") continue;
    for (const auto& [signal, value] : e["signals"].items()) last_signals[fmt::format("0x{:02X}", e["node"].get<int>())][signal] = value;
  }
  for (const auto& [node, signals] : last_signals) {
    for (const auto& [signal, value] : signals.items()) {
      EXPECT_EQ(last_row[node][column[signal]], value.dump()) << node << " " << signal;
    }
  }
}

TEST(ExportCsv, EveryGivesARowPerPackAtFixedSteps) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  auto csv = Packtwin({"export", db, "--format", "csv", "--every", "10s"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = CsvRows(csv.out);
  ASSERT_GT(rows.size(), 6u);
  std::map<std::string, size_t> per_time;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double seconds = std::stod(rows[i][1]);
    EXPECT_DOUBLE_EQ(seconds, 10.0 * std::round(seconds / 10.0)) << rows[i][0];
    ++per_time[rows[i][1]];
  }
  for (const auto& [time, count] : per_time) EXPECT_EQ(count, 3u) << "each pack once at " << time;
  auto not_csv = Packtwin({"export", db, "--format", "jsonl", "--every", "10s"});
  EXPECT_EQ(not_csv.exit_code, 64);
  EXPECT_NE(not_csv.err.find("--every is for --format csv"), std::string::npos) << not_csv.err;
}

// A recording names its channel after its source; can-utils needs an interface name.
std::string SlcanRecording(const TempDir& dir) {
  const std::string db = dir.File("slcan.db");
  eventlog::WriterOptions options;
  options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(db, options);
  EXPECT_TRUE(writer.ok());
  for (int i = 0; i < 5; ++i) {
    v1::Event event = testing::CanEvent(1'795'237'200'000'000'000 + i * 1'000'000, 0x1AA, "\x50\x14\x1E\xFB\x23\x0F\x01\x20");
    event.set_source("slcan:/dev/pts/7");
    event.mutable_can_frame()->set_channel("slcan:/dev/pts/7");
    EXPECT_TRUE((*writer)->Append(event).ok());
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return db;
}

TEST(InterfaceNames, ARecordingsChannelIsWrittenAsAnInterfaceNameLog2ascTakes) {
  TempDir dir;
  const std::string db = SlcanRecording(dir);
  const std::string log = dir.File("out.log");
  ASSERT_EQ(Packtwin({"export", db, "--format", "candump", "-o", log}).exit_code, 0);
  EXPECT_NE(testing::ReadFile(log).find(") slcan0 1AA#50141EFB230F0120"), std::string::npos) << testing::ReadFile(log);
  auto converted = testing::Run({"log2asc", "-I", log, "-O", dir.File("out.asc"), "slcan0"});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  const std::string asc = testing::ReadFile(dir.File("out.asc"));
  size_t frames = 0;
  for (size_t at = asc.find(" 1AA "); at != std::string::npos; at = asc.find(" 1AA ", at + 1)) ++frames;
  EXPECT_EQ(frames, 5u) << asc;
  auto jsonl = Packtwin({"export", db, "--format", "jsonl"});
  EXPECT_NE(jsonl.out.find("\"channel\":\"slcan:/dev/pts/7\""), std::string::npos) << "JSON lines keep the recorded channel";
}

// canplayer maps the log's interfaces to its own (stdout=slcan0 prints them).
// It opens a CAN socket first, so without AF_CAN it cannot run at all.
TEST(InterfaceNames, CanplayerTakesTheExportedInterfaceName) {
  TempDir dir;
  const std::string db = SlcanRecording(dir);
  const std::string log = dir.File("out.log");
  ASSERT_EQ(Packtwin({"export", db, "--format", "candump", "-o", log}).exit_code, 0);
  auto played = testing::Run({"canplayer", "-I", log, "-t", "stdout=slcan0"});
  if (played.err.find("Address family not supported") != std::string::npos) {
    GTEST_SKIP() << "this kernel has no AF_CAN: canplayer cannot open its socket (" << played.err << ")";
  }
  ASSERT_EQ(played.exit_code, 0) << played.err;
  size_t frames = 0;
  for (size_t at = played.out.find("1AA#"); at != std::string::npos; at = played.out.find("1AA#", at + 1)) ++frames;
  EXPECT_EQ(frames, 5u) << played.out;
}

TEST(InterfaceNames, TheUserChoosesTheNameAndAnInvalidOneIsRefused) {
  TempDir dir;
  const std::string db = SlcanRecording(dir);
  auto named = Packtwin({"export", db, "--format", "candump", "--iface-name", "vcan3"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_NE(named.out.find(") vcan3 1AA#"), std::string::npos) << named.out;
  auto mapped = Packtwin({"export", db, "--format", "asc", "--iface-name", "slcan:/dev/pts/7=can2"});
  ASSERT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_NE(mapped.out.find(" 3  1AA "), std::string::npos) << "can2 is ASC channel 3: " << mapped.out;
  auto bad = Packtwin({"export", db, "--format", "candump", "--iface-name", "a/b"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("'a/b' is not an interface name"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace packtwin
