// `packtwin view`: serves the page, Chart.js (Debian's libjs-chart.js, served
// by packtwin itself: nothing comes from a CDN) and a small JSON API over a
// log's telemetry, state at a moment, findings and timeline, until the stop
// descriptor becomes readable.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/view/log_queries.h"
#include "packtwin/view/series_store.h"

namespace packtwin::view {

inline constexpr const char* kChartJsPath = "/usr/share/javascript/chart.js/chart.min.js";

struct ViewOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;
  int stop_fd = -1;                        // readable: stop serving
  std::function<void(uint16_t)> on_ready;  // called with the port once listening
};

Status Serve(const SeriesStore& store, LogQueries& queries, const ViewOptions& options);

// The page (view/assets/index.html, compiled in).
const char* ViewPage();

}  // namespace packtwin::view
