// `packtwin view` in a real browser: Debian's headless Chromium, driven by
// python3-selenium, loads the page of a shipped capture; every plot must hold
// the samples the log holds, with their extremes, no console error may
// appear, and a zoom on one plot moves them all. A screenshot is left in the
// build directory.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

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
  EXPECT_EQ(page["charts"], 9) << "three plots for each of the three packs";
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
  EXPECT_EQ(checked, 3u * 13u) << "SOC, voltage, current, six powers and four relays of each pack";
  const auto& ranges = page["ranges"];
  ASSERT_EQ(ranges.size(), 9u);
  const double span_s = page["span_s"];
  EXPECT_LT(ranges[0][1].get<double>() - ranges[0][0].get<double>(), span_s) << "the wheel zoomed in";
  for (const auto& range : ranges) EXPECT_EQ(range, ranges[0]) << "every plot follows";
  EXPECT_TRUE(std::filesystem::file_size(screenshot) > 10'000) << screenshot;
  server.Signal(SIGINT);
  auto stopped = server.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
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
