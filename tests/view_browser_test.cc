// `packtwin view` in a real browser: Debian's headless Chromium, driven by
// python3-selenium, loads the page of a shipped capture; every plot must hold
// the samples the log holds, with their extremes, no console error may
// appear, and a zoom on one plot moves them all. A screenshot is left in the
// build directory.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "packtwin/base/time_spec.h"
#include "store_test_util.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Packtwin;
using testing::SourceDir;
using testing::TempDir;

struct Extremes {
  uint64_t samples = 0;
  double min = 1e300;
  double max = -1e300;
};

// What the log holds, by `export --format jsonl`'s decoded signals.
std::map<std::pair<int, std::string>, Extremes> LogSignals(const std::string& db) {
  std::map<std::pair<int, std::string>, Extremes> out;
  for (const auto& e : testing::ExportedEvents(db, "can_frame")) {
    if (!e.contains("signals") || !e.contains("node")) continue;
    const std::string name = e["name"];
    if (name != "TEL_BATT" && name != "TEL_POWER" && name != "TEL_LOADS") continue;
    for (const auto& [signal, value] : e["signals"].items()) {
      Extremes& x = out[{e["node"].get<int>(), signal}];
      ++x.samples;
      x.min = std::min(x.min, value.get<double>());
      x.max = std::max(x.max, value.get<double>());
    }
  }
  return out;
}

TEST(ViewInABrowser, EveryPlotHoldsTheLogsSamplesNoConsoleErrorAndAZoomMovesThemAll) {
  TempDir dir;
  const std::string db = dir.File("site.db");
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", db, "--site", "Lyon-3"}).exit_code, 0);
  const uint16_t port = testing::FreeTcpPort();
  testing::Child server({testing::PacktwinBinary(), "view", db, "--port", std::to_string(port)});
  for (int waited = 0; waited < 10'000 && server.OutputSoFar().find("serving") == std::string::npos; waited += 20) usleep(20'000);
  ASSERT_NE(server.OutputSoFar().find("serving"), std::string::npos) << server.OutputSoFar();
  const std::string screenshot =
      std::filesystem::path(testing::PacktwinBinary()).parent_path().parent_path() / "view-alfaspark-3pack.png";
  auto browser = testing::Run({testing::SystemPython(), SourceDir() + "/tests/peers/view_browser.py",
                               "http://127.0.0.1:" + std::to_string(port) + "/", screenshot});
  ASSERT_EQ(browser.exit_code, 0) << browser.err;
  const auto page = nlohmann::json::parse(browser.out);
  EXPECT_TRUE(page["error"].is_null()) << page["error"];
  EXPECT_TRUE(page["console"].empty()) << page["console"].dump(1);
  EXPECT_EQ(page["charts"], 16) << "four plots and a lane chart for each of the three packs, and the fleet's lanes";
  const auto expected = LogSignals(db);
  size_t checked = 0;
  for (const auto& dataset : page["datasets"]) {
    const auto found = expected.find({dataset["node"].get<int>(), dataset["signal"].get<std::string>()});
    ASSERT_NE(found, expected.end()) << dataset.dump();
    EXPECT_EQ(dataset["samples"], found->second.samples) << dataset.dump();
    EXPECT_EQ(dataset["points"], found->second.samples) << "a plot this wide shows every sample: " << dataset.dump();
    EXPECT_DOUBLE_EQ(dataset["min"].get<double>(), found->second.min) << dataset.dump();
    EXPECT_DOUBLE_EQ(dataset["max"].get<double>(), found->second.max) << dataset.dump();
    ++checked;
  }
  EXPECT_EQ(checked, 3u * 15u) << "SOC, voltage, current, six powers, four relays, grid energy and budget of each pack";
  const auto& ranges = page["ranges"];
  ASSERT_EQ(ranges.size(), 16u);
  const double span_s = page["span_s"];
  EXPECT_LT(ranges[0][1].get<double>() - ranges[0][0].get<double>(), span_s) << "the wheel zoomed in";
  for (const auto& range : ranges) EXPECT_EQ(range, ranges[0]) << "every plot follows";
  // The lanes: every relay change `timeline` names starts or ends a band of
  // that relay (a close: with its cause), every master change starts a band.
  auto timeline = Packtwin({"timeline", db, "--json"});
  ASSERT_EQ(timeline.exit_code, 0);
  const auto& lanes = page["lanes"];
  const auto band_at = [](const nlohmann::json& bands, const std::string& lane, const char* edge, const std::string& time) {
    for (const auto& band : bands) {
      // Through the page's doubles nanoseconds since 1970 keep ~256 ns: compared to the microsecond.
      const int64_t at_us = (static_cast<int64_t>(band[edge].get<double>()) + 500) / 1000;
      if (band["lane"] == lane && FormatUtc(at_us * 1000) == time) return band;
    }
    return nlohmann::json();
  };
  size_t relay_edges = 0, master_edges = 0;
  std::istringstream lines(timeline.out);
  for (std::string line; std::getline(lines, line);) {
    const auto change = nlohmann::json::parse(line);
    if (change["kind"] == "relay") {
      const auto& bands = lanes["packs"][change["node"].get<std::string>()];
      const std::string lane = "relay " + change["relay"].get<std::string>();
      const auto band = band_at(bands, lane, change["closed"].get<bool>() ? "from_ns" : "to_ns", change["time"]);
      ASSERT_FALSE(band.is_null()) << line << "\n" << bands.dump(1);
      if (change["closed"].get<bool>()) {
        EXPECT_EQ(band["label"], change["cause"]) << line;
      }
      ++relay_edges;
    } else if (change["kind"] == "master" && !change["node"].is_null()) {
      const auto band = band_at(lanes["site"], "master", "from_ns", change["time"]);
      ASSERT_FALSE(band.is_null()) << line;
      EXPECT_EQ(band["label"], change["node"]) << line;
      ++master_edges;
    }
  }
  EXPECT_EQ(relay_edges, 3u) << "each pack's water heater opened for eco";
  EXPECT_EQ(master_edges, 3u);
  for (const auto& bars : page["bars"]) EXPECT_GT(bars.get<int>(), 0) << "every lane chart draws its bands";
  EXPECT_TRUE(std::filesystem::file_size(screenshot) > 10'000) << screenshot;
  server.Signal(SIGINT);
  auto stopped = server.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// `packtwin view DB` started on a free port; stopped (SIGINT) when it goes out of scope.
class ViewServer {
 public:
  explicit ViewServer(const std::string& db)
      : port_(testing::FreeTcpPort()),
        child_({testing::PacktwinBinary(), "view", db, "--port", std::to_string(port_)}) {
    for (int waited = 0; waited < 10'000 && child_.OutputSoFar().find("serving") == std::string::npos; waited += 20) {
      usleep(20'000);
    }
  }
  ~ViewServer() { child_.Signal(SIGINT); }
  bool serving() { return child_.OutputSoFar().find("serving") != std::string::npos; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  uint16_t port_;
  testing::Child child_;
};

std::string ImportCapture(const TempDir& dir, const std::string& capture) {
  const std::string db = dir.File("site.db");
  EXPECT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/" + capture, "-o", db}).exit_code, 0);
  return db;
}

nlohmann::json DriveCursor(const std::string& url, double at_s) {
  auto browser = testing::Run({testing::SystemPython(), SourceDir() + "/tests/peers/view_cursor.py", url, std::to_string(at_s)});
  EXPECT_EQ(browser.exit_code, 0) << browser.err;
  return browser.exit_code == 0 ? nlohmann::json::parse(browser.out) : nlohmann::json::object();
}

std::string RelayText(const nlohmann::json& relay) {
  return std::string(relay["closed"].get<bool>() ? "closed" : "open") +
         (relay.contains("cause") ? " (" + relay["cause"].get<std::string>() + ")" : "");
}

std::string Joined(const nlohmann::json& list) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ", ") + item.get<std::string>();
  return out;
}

// The front panel and the state table at the cursor are what `state --at`
// prints for that moment, field by field (the firmware's indicator function
// draws the panel: the bar's ten LEDs, the display and the status LED).
TEST(ViewInABrowser, TheCursorShowsEachPacksFrontPanelAndStateAsStateAtGivesThem) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  ViewServer server(db);
  ASSERT_TRUE(server.serving());
  const auto page = DriveCursor(server.url(), 30);
  ASSERT_TRUE(page.contains("panels")) << page.dump();
  EXPECT_TRUE(page["console"].empty()) << page["console"].dump(1);
  EXPECT_EQ(page["cursor_s"], 30);
  auto state = Packtwin({"state", db, "--at", "30", "--json"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  const auto expected = nlohmann::json::parse(state.out);
  EXPECT_EQ(page["master"], expected["master"]);
  ASSERT_EQ(page["panels"].size(), expected["packs"].size());
  size_t fields = 0;
  for (const auto& pack : expected["packs"]) {
    const auto& shown = page["panels"][pack["node"].get<std::string>()];
    for (const char* field : {"soc_pct", "voltage_cV", "current_cA", "p_grid_W", "p_home_W", "p_batt_W", "p_solar_W",
                              "p_pool_W", "p_heater_W", "grid_today_Wh", "grid_budget_kWh", "eco_limit_W", "lockout"}) {
      ASSERT_TRUE(pack.contains(field)) << field;
      EXPECT_EQ(shown[field], pack[field].dump()) << pack["node"] << " " << field;
      ++fields;
    }
    for (const auto& relay : pack["relays"]) {
      EXPECT_EQ(shown["relay:" + relay["relay"].get<std::string>()], RelayText(relay)) << pack["node"];
      ++fields;
    }
    EXPECT_EQ(shown["functions"], Joined(pack["functions"])) << pack["node"];
    EXPECT_EQ(shown["alarms"], Joined(pack["alarms"])) << pack["node"];
    EXPECT_EQ(shown["bar"], pack["indicators"]["bar"]) << pack["node"];
    EXPECT_EQ(shown["leds"], pack["indicators"]["bar"]) << pack["node"] << ": ten LEDs drawn as the bar says";
    EXPECT_EQ(shown["display"], pack["indicators"]["display"]) << pack["node"];
    EXPECT_EQ(shown["status_led"], pack["indicators"]["status_led"]) << pack["node"];
    fields += 6;
  }
  EXPECT_EQ(fields, 3u * (13 + 4 + 6));
}

// A field-defect capture: its finding is listed and marked; clicking it shows
// rule, expected, observed and evidence and moves the cursor to its time; a
// timeline line clicked moves the cursor there and is the one marked.
TEST(ViewInABrowser, ClickingAFindingOfAFieldDefectCaptureMovesTheCursorToIt) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "field-defect-03-grid-reclosed-in-lockout.log");
  auto check = Packtwin({"check", db, "--json"});
  const auto findings = nlohmann::json::parse(check.out)["findings"];
  ASSERT_FALSE(findings.empty());
  ViewServer server(db);
  ASSERT_TRUE(server.serving());
  const auto page = DriveCursor(server.url(), 0);
  ASSERT_TRUE(page.contains("findings")) << page.dump();
  ASSERT_EQ(page["findings"].size(), findings.size());
  for (const auto& clicked : page["findings"]) {
    const auto& finding = findings[clicked["index"].get<size_t>()];
    EXPECT_EQ(clicked["rule"], finding["rule"]);
    EXPECT_DOUBLE_EQ(clicked["cursor_s"].get<double>(), clicked["finding_s"].get<double>());
    EXPECT_EQ(finding["time"], "2026-11-21T02:35:06.000000Z") << "the capture's lockout reclose";
    EXPECT_DOUBLE_EQ(clicked["finding_s"].get<double>(), 306.0) << "02:35:06, 306 s after the capture's start";
    const std::string detail = clicked["detail"];
    for (const char* key : {"expected", "observed"}) {
      EXPECT_NE(detail.find(finding[key].get<std::string>()), std::string::npos) << detail;
    }
    EXPECT_NE(detail.find("evidence: seq 668, 678"), std::string::npos) << detail;
  }
  ASSERT_GT(page["timeline_lines"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(page["timeline_click"]["cursor_s"].get<double>(), page["timeline_click"]["line_s"].get<double>());
  EXPECT_TRUE(page["timeline_click"]["marked_is_clicked_or_same_time"].get<bool>());
  EXPECT_TRUE(page["console"].empty()) << page["console"].dump(1);
}

// --open hands the page's address to the desktop's browser (xdg-open, here a
// script on PATH that notes what it was given); without xdg-open the server
// says so and serves anyway.
TEST(ViewInABrowser, OpenHandsTheUrlToTheDesktopsBrowser) {
  TempDir dir;
  const std::string db = ImportCapture(dir, "alfaspark-3pack.log");
  std::filesystem::create_directory(dir.File("bin"));
  const std::string opener = dir.File("bin") + "/xdg-open";
  testing::WriteFile(opener, "#!/bin/sh\necho \"$1\" > " + dir.File("opened") + "\n");
  std::filesystem::permissions(opener, std::filesystem::perms::owner_all);
  const std::string path = std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const uint16_t port = testing::FreeTcpPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  {
    testing::Child server({"/usr/bin/env", "PATH=" + dir.File("bin") + ":" + path, testing::PacktwinBinary(), "view", db,
                           "--port", std::to_string(port), "--open"});
    ASSERT_TRUE(testing::WaitForFile(dir.File("opened")));
    usleep(100'000);  // the script's line written whole
    EXPECT_EQ(testing::ReadFile(dir.File("opened")), url + "\n");
    auto page = testing::Run({"curl", "-s", url});
    EXPECT_NE(page.out.find("<title>packtwin view</title>"), std::string::npos) << "that address serves the page";
    server.Signal(SIGINT);
    EXPECT_EQ(server.Wait().exit_code, 0);
  }
  testing::Child bare({"/usr/bin/env", "PATH=" + dir.File("empty"), testing::PacktwinBinary(), "view", db, "--port",
                       std::to_string(port), "--open"});
  for (int waited = 0; waited < 10'000 && bare.OutputSoFar().find("serving") == std::string::npos; waited += 20) usleep(20'000);
  bare.Signal(SIGINT);
  auto stopped = bare.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.err.find("cannot start xdg-open: open " + url + " yourself"), std::string::npos) << stopped.err;
}

// As every command that reads a log: located damage is left out and named,
// here on the page above the plots and on stderr, and the exit code is 2.
TEST(ViewInABrowser, ADamagedLogIsNamedOnThePageLeftOutAndExits2) {
  TempDir dir;
  const std::string db = dir.File("site.db");
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", db}).exit_code, 0);
  ASSERT_EQ(testing::Sql(db, "DROP TRIGGER blocks_refuse_update; UPDATE blocks SET body = CAST(substr(body, 1, length(body) - 1) || "
                             "CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE first_seq = 1"),
            "");
  const uint16_t port = testing::FreeTcpPort();
  testing::Child server({testing::PacktwinBinary(), "view", db, "--port", std::to_string(port)});
  for (int waited = 0; waited < 10'000 && server.OutputSoFar().find("serving") == std::string::npos; waited += 20) usleep(20'000);
  ASSERT_NE(server.OutputSoFar().find("serving"), std::string::npos) << server.OutputSoFar();
  auto browser = testing::Run({testing::SystemPython(), SourceDir() + "/tests/peers/view_browser.py",
                               "http://127.0.0.1:" + std::to_string(port) + "/", dir.File("damaged.png")});
  ASSERT_EQ(browser.exit_code, 0) << browser.err;
  const auto page = nlohmann::json::parse(browser.out);
  EXPECT_TRUE(page["error"].is_null()) << "findings, timeline and state are read past the damage: " << page["error"];
  ASSERT_TRUE(page["damaged"].is_string()) << browser.out;
  EXPECT_NE(page["damaged"].get<std::string>().find("This log is damaged: 1 event (seq "), std::string::npos) << page["damaged"];
  EXPECT_NE(page["damaged"].get<std::string>().find("Run packtwin verify."), std::string::npos) << page["damaged"];
  EXPECT_EQ(page["charts"], 16);
  server.Signal(SIGINT);
  auto stopped = server.Wait();
  EXPECT_EQ(stopped.exit_code, 2) << stopped.err;
  EXPECT_NE(stopped.err.find("1 damaged event skipped (seq "), std::string::npos) << stopped.err;
}

TEST(ViewInABrowser, APortInUseIsRefusedWithAClearMessage) {
  TempDir dir;
  const std::string db = dir.File("site.db");
  ASSERT_EQ(Packtwin({"import", SourceDir() + "/scenarios/captures/alfaspark-3pack.log", "-o", db}).exit_code, 0);
  const uint16_t port = testing::FreeTcpPort();
  testing::Child first({testing::PacktwinBinary(), "view", db, "--port", std::to_string(port)});
  for (int waited = 0; waited < 10'000 && first.OutputSoFar().find("serving") == std::string::npos; waited += 20) usleep(20'000);
  auto second = Packtwin({"view", db, "--port", std::to_string(port)});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find(":" + std::to_string(port) + ": cannot listen there"), std::string::npos) << second.err;
}

}  // namespace
}  // namespace packtwin
