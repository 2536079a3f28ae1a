// The packtwin command line, run as a user runs it: round trips, atomic
// outputs, exit codes and --help on every command.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin {
namespace {

using testing::FileExists;
using testing::Packtwin;
using testing::ReadFile;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

std::string Data(const std::string& name) { return SourceDir() + "/tests/data/" + name; }

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, CandumpLogSurvivesImportThenExportByteForByte) {
  TempDir dir;
  const std::string input = GetParam();
  auto imported = Packtwin({"import", input, "-o", dir.File("a.db")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto exported = Packtwin({"export", dir.File("a.db"), "--format", "candump"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, ReadFile(input));
}

INSTANTIATE_TEST_SUITE_P(Captures, RoundTrip,
                         ::testing::Values(Data("two-interfaces.log"), Data("nanoseconds-direction.log"),
                                           SourceDir() + "/scenarios/captures/alfaspark-3pack.log"));

TEST(Cli, ExportToFileWritesTheSameBytesAndRefusesToOverwrite) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", Data("two-interfaces.log"), "-o", dir.File("a.db")}).exit_code, 0);
  auto first = Packtwin({"export", dir.File("a.db"), "--format", "candump", "-o", dir.File("out.log")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ReadFile(dir.File("out.log")), ReadFile(Data("two-interfaces.log")));
  auto again = Packtwin({"export", dir.File("a.db"), "--format", "candump", "-o", dir.File("out.log")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists; pass --force"), std::string::npos) << again.err;
  EXPECT_EQ(Packtwin({"export", dir.File("a.db"), "--format", "asc", "-o", dir.File("out.log"), "--force"}).exit_code, 0);
}

TEST(Cli, ImportErrorNamesFileLineColumnAndLeavesNoOutput) {
  TempDir dir;
  WriteFile(dir.File("bad.log"), "(1.000000) can0 123#00\n(1.000001) can0 123#0G\n");
  auto result = Packtwin({"import", dir.File("bad.log"), "-o", dir.File("out.db")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "packtwin: " + dir.File("bad.log") +
                            ":2:21 (byte 43): expected data as pairs of hex digits, found '0G'\n"
                            "nothing was written to " + dir.File("out.db") + "\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()) ||
              std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1)
      << "only bad.log may remain";
  EXPECT_FALSE(FileExists(dir.File("out.db")));
}

struct BadFile {
  const char* name;
  std::string content;
  const char* error;  // after "packtwin: <dir>/<name>"
};

TEST(Cli, BadInputFilesGiveExactErrors) {
  const std::vector<BadFile> corpus = {
      {"empty.log", "", ": empty: no CAN log lines to import"},
      {"binary.log", std::string("\x7F" "ELF\x02\x01\x01\0\0\0", 10) + "\n",
       ":1: not a CAN log packtwin reads: found '\\x7FELF\\x02\\x01\\x01\\x00\\x00\\x00'; packtwin imports candump "
       "logs (candump -l: '(1700000000.000000) can0 123#1122'), candump's screen output ('  can0  123   [2]  11 22'), "
       "Vector ASC (a 'date ...' or 'base hex ...' header) and BLF, PEAK TRC, and python-can's SQLite databases; give "
       "--format candump|candump-screen|asc|blf|trc|pycan-sqlite if the file is one of them"},
      {"blank-lines.log", std::string(100, '\n') + "(1.000000) can0 123#\n" + "not a frame\n",
       ":102:1 (byte 121): expected '(' opening the timestamp, found 'not a frame'"},
      {"long.log", "(1.000000) can0 123#" + std::string(5000, 'A') + "\n",
       ":1 (byte 0): line longer than 4096 bytes: not a text CAN log"},
      {"date.asc", "date Someday\n", ":1:6 (byte 5): expected a date like 'Sat Nov 21 05:00:00.123 am 2026', found 'Someday'"},
      {"asc-data.asc", "base hex\n   0.1 1  123 Rx d 2 01\n",
       ":2:24 (byte 32): expected 2 data bytes for DLC 2, found end of line"},
  };
  for (const auto& bad : corpus) {
    TempDir dir;
    WriteFile(dir.File(bad.name), bad.content);
    auto result = Packtwin({"import", dir.File(bad.name), "-o", dir.File("out.db")});
    EXPECT_EQ(result.exit_code, 1) << bad.name;
    EXPECT_EQ(result.err, "packtwin: " + dir.File(bad.name) + bad.error + "\nnothing was written to " +
                              dir.File("out.db") + "\n")
        << bad.name;
    EXPECT_FALSE(FileExists(dir.File("out.db"))) << bad.name;
  }
}

TEST(Cli, ImportNeverOverwritesWithoutForce) {
  TempDir dir;
  const std::string log = Data("two-interfaces.log");
  ASSERT_EQ(Packtwin({"import", log, "-o", dir.File("a.db")}).exit_code, 0);
  const std::string before = ReadFile(dir.File("a.db"));
  auto again = Packtwin({"import", log, "-o", dir.File("a.db")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists; pass --force to replace it"), std::string::npos);
  EXPECT_EQ(ReadFile(dir.File("a.db")), before);
  EXPECT_EQ(Packtwin({"import", log, "-o", dir.File("a.db"), "--force"}).exit_code, 0);
}

TEST(Cli, FailedImportWithForceKeepsTheOldFile) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", Data("two-interfaces.log"), "-o", dir.File("a.db")}).exit_code, 0);
  const std::string before = ReadFile(dir.File("a.db"));
  WriteFile(dir.File("bad.log"), "garbage\n");
  EXPECT_EQ(Packtwin({"import", dir.File("bad.log"), "-o", dir.File("a.db"), "--force", "--format", "candump"}).exit_code, 1);
  EXPECT_EQ(ReadFile(dir.File("a.db")), before);
}

TEST(Cli, ImportIsDeterministic) {
  TempDir dir;
  const std::string log = Data("two-interfaces.log");
  ASSERT_EQ(Packtwin({"import", log, "-o", dir.File("a.db")}).exit_code, 0);
  ASSERT_EQ(Packtwin({"import", log, "-o", dir.File("b.db")}).exit_code, 0);
  auto a = Packtwin({"verify", dir.File("a.db"), "--json"});
  auto b = Packtwin({"verify", dir.File("b.db"), "--json"});
  ASSERT_EQ(a.exit_code, 0);
  auto head = [](const std::string& json) { return json.substr(json.find("\"head\"")); };
  EXPECT_EQ(head(a.out), head(b.out));
}

TEST(Cli, CandumpExportKeepsTheSourcesTimestampWidthByteForByte) {
  TempDir dir;
  const std::string unpadded = "(166.000000) can0 123#11 R\n(167.500000) can0 20000080#0000000000000000\n";
  const std::string padded = "(0000000166.000000) can0 123#11\n(0000000167.000000) can0 456#\n";
  for (const auto& [name, text] : {std::pair{"unpadded.log", unpadded}, std::pair{"padded.log", padded}}) {
    WriteFile(dir.File(name), text);
    ASSERT_EQ(Packtwin({"import", dir.File(name), "-o", dir.File(std::string(name) + ".db")}).exit_code, 0);
    auto out = Packtwin({"export", dir.File(std::string(name) + ".db"), "--format", "candump"});
    EXPECT_EQ(out.out, text) << name;
  }
}

TEST(Cli, AscAsCanoeWritesItImportsWholeWithOtherEventsSkippedAndCounted) {
  TempDir dir;
  auto imported = Packtwin({"import", Data("canoe-grammar.asc"), "-o", dir.File("c.db"), "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const auto summary = nlohmann::json::parse(imported.out);
  EXPECT_EQ(summary["frames"], 11) << imported.out;
  EXPECT_EQ(summary["skipped_lines"], 5) << "start, status, two statistics, J1939 transport";
  auto out = Packtwin({"export", dir.File("c.db"), "--format", "candump"});
  EXPECT_NE(out.out.find(" can0 20000080#0000000000000000\n"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find(" can2 200#R T\n"), std::string::npos) << "remote frame with attributes: " << out.out;
  EXPECT_NE(out.out.find(" can3 300#R8 T\n"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find(" can2 00050005#R5 T\n"), std::string::npos) << "the FD channel's remote frame: " << out.out;
  EXPECT_NE(out.out.find(" can4 20000080#0000000000000000 T\n"), std::string::npos) << "FD error frame" << out.out;
}

TEST(Cli, AFileOfAnotherFormatIsRefusedNamingTheFormatsPacktwinReads) {
  TempDir dir;
  WriteFile(dir.File("notes.txt"), "\n\nsite visit 2026-11-30: pack 2 fan noisy\n");
  auto result = Packtwin({"import", dir.File("notes.txt"), "-o", dir.File("n.db")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("notes.txt:3: not a CAN log packtwin reads"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("candump"), std::string::npos);
  EXPECT_NE(result.err.find("Vector ASC"), std::string::npos);
  EXPECT_FALSE(FileExists(dir.File("n.db")));
}

// The 3-pack capture as Vector ASC whose header dates it `date` (ASC's own
// form, local time): a minute of real site traffic on any day.
std::string ThreePackAscDated(const TempDir& dir, const std::string& date) {
  const std::string db = dir.File("three.db");
  if (!FileExists(db)) {
    EXPECT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", db}).exit_code, 0);
  }
  auto asc = Packtwin({"export", db, "--format", "asc"});
  EXPECT_EQ(asc.exit_code, 0) << asc.err;
  const std::string original = asc.out.substr(5, asc.out.find('\n') - 5);  // "date <this>\n"
  std::string text = asc.out;
  for (size_t at = text.find(original); at != std::string::npos; at = text.find(original, at + date.size())) {
    text.replace(at, original.size(), date);
  }
  return text;
}

TEST(Cli, AFrameTimedOutsideTheYearsALogHoldsIsRefusedAtItsLine) {
  TempDir dir;
  // 64-bit nanoseconds still hold this date, but no sum of times near it is safe.
  WriteFile(dir.File("far.asc"), ThreePackAscDated(dir, "Fri Apr 11 11:30:00.000 AM 2262"));
  auto result = Packtwin({"import", dir.File("far.asc"), "-o", dir.File("far.db")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("far.asc:6: a frame timed 2262-04-11T"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("a log holds times between 1900-01-01 and 2099-12-31 (UTC)"), std::string::npos) << result.err;
  EXPECT_FALSE(FileExists(dir.File("far.db")));
}

TEST(Cli, LogsAtBothEndsOfTheYearsALogHoldsAreReadWithoutOverflow) {
  TempDir dir;
  // Half a day inside each end, so a local time zone cannot push them out.
  for (const std::string date : {"Mon Jan 01 02:00:00.000 PM 1900", "Thu Dec 31 09:00:00.000 AM 2099"}) {
    SCOPED_TRACE(date);
    WriteFile(dir.File("edge.asc"), ThreePackAscDated(dir, date));
    ASSERT_EQ(Packtwin({"import", dir.File("edge.asc"), "-o", dir.File("edge.db"), "--force"}).exit_code, 0);
    // Under UndefinedBehaviorSanitizer (scripts/sanitize.sh) an overflow anywhere in these aborts.
    auto check = Packtwin({"check", dir.File("edge.db")});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_NE(check.out.find("clean"), std::string::npos) << check.out;
    EXPECT_EQ(Packtwin({"timeline", dir.File("edge.db")}).exit_code, 0);
    EXPECT_EQ(Packtwin({"state", dir.File("edge.db")}).exit_code, 0);
    EXPECT_EQ(Packtwin({"info", dir.File("edge.db")}).exit_code, 0);
  }
}

TEST(Cli, SeveralInputsAreMergedByTime) {
  TempDir dir;
  WriteFile(dir.File("a.log"), "(1.000000) can0 100#01\n(3.000000) can0 100#03\n");
  WriteFile(dir.File("b.log"), "(2.000000) can1 200#02\n(4.000000) can1 200#04\n");
  ASSERT_EQ(Packtwin({"import", dir.File("a.log"), dir.File("b.log"), "-o", dir.File("m.db")}).exit_code, 0);
  auto out = Packtwin({"export", dir.File("m.db"), "--format", "candump"});
  EXPECT_EQ(out.out,
            "(1.000000) can0 100#01\n(2.000000) can1 200#02\n"
            "(3.000000) can0 100#03\n(4.000000) can1 200#04\n")
      << "the inputs' unpadded seconds are kept";
}

TEST(Cli, ExportFiltersByTimeAndIds) {
  TempDir dir;
  WriteFile(dir.File("a.log"),
            "(10.000000) can0 180#01\n(11.000000) can0 700#02\n(12.000000) can0 181#03\n(13.000000) can0 300#04\n");
  ASSERT_EQ(Packtwin({"import", dir.File("a.log"), "-o", dir.File("a.db")}).exit_code, 0);
  auto ids = Packtwin({"export", dir.File("a.db"), "--format", "candump", "--ids", "0x180-0x1FF,0x700"});
  EXPECT_EQ(ids.out, "(10.000000) can0 180#01\n(11.000000) can0 700#02\n(12.000000) can0 181#03\n");
  auto span = Packtwin({"export", dir.File("a.db"), "--format", "candump", "--from", "1", "--to", "3"});
  EXPECT_EQ(span.out, "(11.000000) can0 700#02\n(12.000000) can0 181#03\n");
  auto iso = Packtwin({"export", dir.File("a.db"), "--format", "candump", "--from", "1970-01-01T00:00:12Z"});
  EXPECT_EQ(iso.out, "(12.000000) can0 181#03\n(13.000000) can0 300#04\n");
}

TEST(Cli, JsonLinesDecodeIdsAndNameOurFrames) {
  TempDir dir;
  WriteFile(dir.File("a.log"), "(1.000000) can0 1AA#5014E204230F0100 R\n(2.000000) can0 12345678#00\n");
  ASSERT_EQ(Packtwin({"import", dir.File("a.log"), "-o", dir.File("a.db")}).exit_code, 0);
  auto out = Packtwin({"export", dir.File("a.db"), "--format", "jsonl", "--ids", "0x1AA"});
  EXPECT_EQ(out.out,
            "{\"seq\":2,\"time\":\"1970-01-01T00:00:01.000000Z\",\"wall_ns\":1000000000,\"capture_ns\":1000000000,"
            "\"source\":\"can0\",\"kind\":\"can_frame\",\"channel\":\"can0\",\"id\":\"0x1AA\",\"extended\":false,"
            "\"rtr\":false,\"error\":false,\"fd\":false,\"dlc\":8,\"data\":\"5014E204230F0100\",\"dir\":\"rx\","
            "\"name\":\"TEL_BATT\",\"node\":42,\"signals\":{\"pack_V\":52.0,\"current_A\":12.5,\"soc_pct\":35,\"relay_grid\":1,"
            "\"relay_inverter_output\":1,\"relay_pool_pump\":1,\"relay_water_heater\":1,\"mode_self_consumption\":1,"
            "\"mode_eco\":0,\"mode_time_of_use\":0,\"mode_backup\":0,\"mode_grid_limit\":0,\"lockout\":0,"
            "\"eco_overload\":0,\"bms_comm_lost\":0,\"bms_alarm\":0,\"time_unsynced\":0,\"is_master\":0},"
            "\"values\":{\"relay_grid\":\"closed\",\"relay_inverter_output\":\"closed\",\"relay_pool_pump\":\"closed\","
            "\"relay_water_heater\":\"closed\",\"mode_self_consumption\":\"yes\",\"mode_eco\":\"no\","
            "\"mode_time_of_use\":\"no\",\"mode_backup\":\"no\",\"mode_grid_limit\":\"no\",\"lockout\":\"no\","
            "\"eco_overload\":\"no\",\"bms_comm_lost\":\"no\",\"bms_alarm\":\"no\",\"time_unsynced\":\"no\","
            "\"is_master\":\"no\"}}\n");
}

TEST(Cli, VerifyExitsTwoWithTheFirstBadSeq) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", Data("two-interfaces.log"), "-o", dir.File("a.db")}).exit_code, 0);
  auto ok = Packtwin({"verify", dir.File("a.db")});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_NE(ok.out.find(": intact: 15 events"), std::string::npos) << ok.out;
  testing::Run({"sqlite3", dir.File("a.db"),
                "DROP TRIGGER blocks_refuse_update; UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
                "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB);"});
  auto bad = Packtwin({"verify", dir.File("a.db")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("BROKEN at seq 15"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("1 event failed its record check (seq 15)"), std::string::npos) << bad.out;
}

TEST(Cli, InfoReportsKindsSourcesSpanAndChain) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", Data("two-interfaces.log"), "-o", dir.File("a.db"), "--site", "Lyon-3"}).exit_code, 0);
  auto text = Packtwin({"info", dir.File("a.db")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("site        Lyon-3"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("can_frame              12    can0=9  vcan10=3"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gap                     1    can0=1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("chain       intact (15 events"), std::string::npos) << text.out;
  auto json = Packtwin({"info", dir.File("a.db"), "--json"});
  EXPECT_NE(json.out.find("\"schema_version\": \"2\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"intact\": true"), std::string::npos);
}

TEST(Cli, ClearErrorsForDamagedAndForeignFiles) {
  TempDir dir;
  WriteFile(dir.File("text.db"), "hello\n");
  auto text = Packtwin({"info", dir.File("text.db")});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.err, "packtwin: " + dir.File("text.db") +
                          ": not a packtwin capture: file is not a database (give a .db written by packtwin import "
                          "or record)\n");
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", dir.File("a.db")}).exit_code, 0);
  std::filesystem::resize_file(dir.File("a.db"), std::filesystem::file_size(dir.File("a.db")) / 3);
  for (const char* command : {"info", "verify", "export"}) {
    std::vector<std::string> args{command, dir.File("a.db")};
    if (std::string(command) == "export") args.insert(args.end(), {"--format", "jsonl"});
    auto result = Packtwin(args);
    EXPECT_EQ(result.exit_code, 1) << command << result.err;
    EXPECT_NE(result.err.find("damaged or truncated capture"), std::string::npos) << command << result.err;
  }
}

TEST(Cli, UsageErrorsExit64AndSayWhatToDo) {
  auto none = Packtwin({});
  EXPECT_EQ(none.exit_code, 64);
  EXPECT_NE(none.err.find("Run 'packtwin --help'"), std::string::npos);
  auto bad_format = Packtwin({"export", "x.db", "--format", "pcap"});
  EXPECT_EQ(bad_format.exit_code, 64);
  auto bad_ids = Packtwin({"export", SourceDir() + "/README.md", "--format", "jsonl", "--ids", "0x12Z"});
  EXPECT_EQ(bad_ids.exit_code, 64);
  EXPECT_EQ(bad_ids.err, "packtwin export: --ids '0x12Z': column 5: expected ',' or '-' or the end, found 'Z'\n");
}

TEST(Cli, StateShowsFleetAndPacksAtAMoment) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", dir.File("a.db")}).exit_code, 0);
  auto state = Packtwin({"state", dir.File("a.db"), "--at", "30", "--node", "0x2A"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  EXPECT_NE(state.out.find("fleet: master by the rules 0x51"), std::string::npos) << state.out;
  EXPECT_NE(state.out.find("  0x2A  Energy-Pack    fw 2.6  serial 1A2B3C4D  claims slave    online"), std::string::npos)
      << state.out;
  EXPECT_NE(state.out.find("water heater open (eco)"), std::string::npos) << state.out;
  EXPECT_EQ(state.out.find("pack 0x3C"), std::string::npos) << "--node keeps one node";
  auto before = Packtwin({"state", dir.File("a.db"), "--at", "21", "--json"});
  auto json = nlohmann::json::parse(before.out);
  EXPECT_EQ(json["packs"][0]["relays"][3]["closed"], true) << "before the shed at 22 s";
  EXPECT_EQ(json["packs"][0]["indicators"]["display"], " 35");
  auto by_seq = Packtwin({"state", dir.File("a.db"), "--seq", "6", "--json"});
  EXPECT_EQ(nlohmann::json::parse(by_seq.out)["seq"], 6);
  EXPECT_EQ(Packtwin({"state", dir.File("a.db"), "--node", "0x80"}).exit_code, 64);
}

TEST(Cli, TimesArePrintedInTheSitesZoneByDefaultOrAsTzSays) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", dir.File("a.db")}).exit_code, 0);
  auto site = Packtwin({"state", dir.File("a.db"), "--at", "30"});
  EXPECT_NE(site.out.find("state at 2026-11-21T06:00:30.000000+01:00"), std::string::npos)
      << "the offset the bridge's TIME frames announce: " << site.out;
  auto utc = Packtwin({"state", dir.File("a.db"), "--at", "30", "--tz", "utc"});
  EXPECT_NE(utc.out.find("state at 2026-11-21T05:00:30.000000Z"), std::string::npos) << utc.out;
  auto json = Packtwin({"state", dir.File("a.db"), "--at", "30", "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["time"], "2026-11-21T05:00:30.000000Z") << "JSON stays in UTC";
  EXPECT_EQ(Packtwin({"state", dir.File("a.db"), "--tz", "mars"}).exit_code, 64);
}

TEST(Cli, TimelineListsChangesReadably) {
  TempDir dir;
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", dir.File("a.db")}).exit_code, 0);
  auto timeline = Packtwin({"timeline", dir.File("a.db"), "--node", "0x2A", "--from", "20", "--tz", "utc"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_EQ(timeline.out,
            "2026-11-21T05:00:21.500000Z  site  command      command SET_MODE eco on (seq 7) to all packs  [seq 113]\n"
            "2026-11-21T05:00:21.501000Z  0x2A  ack          ACK SET_MODE (seq 7): OK  [seq 114]\n"
            "2026-11-21T05:00:22.000000Z  0x2A  relay        relay water heater opened (eco)  [seq 117]\n"
            "2026-11-21T05:00:22.000100Z  0x2A  function     eco switched on  [seq 118]\n");
}

TEST(Cli, DigestIsTheSameForTheSameLog) {
  TempDir dir;
  const std::string log = SourceDir() + "/scenarios/captures/alfaspark-3pack.log";
  ASSERT_EQ(Packtwin({"import", log, "-o", dir.File("a.db")}).exit_code, 0);
  ASSERT_EQ(Packtwin({"import", log, "-o", dir.File("b.db")}).exit_code, 0);
  auto a = Packtwin({"digest", dir.File("a.db")});
  auto b = Packtwin({"digest", dir.File("b.db")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out.substr(0, 16), b.out.substr(0, 16));
  EXPECT_EQ(a.out.substr(0, 16), Packtwin({"digest", dir.File("a.db")}).out.substr(0, 16)) << "rebuilding twice";
}

TEST(Cli, EveryCommandHasHelp) {
  for (const char* command : {"import", "export", "info", "verify", "demo", "record", "state", "timeline", "check", "digest", "simulate"}) {
    auto help = Packtwin({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("Usage:"), std::string::npos) << command << help.out;
  }
  EXPECT_EQ(Packtwin({"--help"}).exit_code, 0);
}

TEST(Cli, DemoSimulatesADayAndShowsStateTimelineAndACleanCheck) {
  TempDir dir;
  auto demo = Packtwin({"demo", "--work-dir", dir.path(), "--duration", "3h"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_NE(demo.out.find("as `packtwin simulate --packs 3 --duration 3h --seed 1"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("fleet: master by the rules 0x"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("== the timeline: changes by kind"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("clean: "), std::string::npos) << demo.out;
}

}  // namespace
}  // namespace packtwin
