#include "packtwin/view/view_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "http_body.h"
#include "packtwin/eventlog/event_reader.h"

namespace packtwin::view {
namespace {

constexpr size_t kMaxBuckets = 10'000;

std::optional<int64_t> IntParam(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) return std::nullopt;
  const std::string text = request.get_param_value(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// from, to and buckets of a request, clamped to the log (so a width never overflows).
struct Range {
  int64_t from_ns, to_ns;
  size_t buckets;
};
Range RangeOf(const SeriesStore& store, const httplib::Request& request) {
  const int64_t from_ns = std::clamp(IntParam(request, "from").value_or(store.first_ns()), store.first_ns(), store.last_ns());
  const int64_t to_ns = std::clamp(IntParam(request, "to").value_or(store.last_ns() + 1), from_ns, store.last_ns() + 1);
  const int64_t buckets = std::clamp<int64_t>(IntParam(request, "buckets").value_or(1000), 1, kMaxBuckets);
  return {from_ns, to_ns, static_cast<size_t>(buckets)};
}

void BadRequest(const httplib::Request& request, httplib::Response& response, const std::string& why) {
  response.status = 400;
  SendJson(request, response, nlohmann::json{{"error", why}}.dump());
}

// Located damage left out of the view: null when there is none.
nlohmann::json Damaged(const std::map<uint64_t, uint64_t>& runs) {
  if (runs.empty()) return nullptr;
  return {{"events", eventlog::CountSeqRuns(runs)}, {"seq", eventlog::DescribeSeqRuns(runs)}};
}

nlohmann::json Info(const SeriesStore& store) {
  nlohmann::json signals = nlohmann::json::array();
  for (const auto& s : store.signals()) signals.push_back({{"name", s.name}, {"unit", s.unit}});
  // first_ns_text: the exact start for the page (a double holds nanoseconds since 1970 only to ~256 ns).
  return {{"site", store.site()}, {"first_ns", store.first_ns()}, {"first_ns_text", std::to_string(store.first_ns())},
          {"last_ns", store.last_ns()}, {"events", store.events()}, {"nodes", store.Nodes()}, {"signals", signals},
          {"damaged", Damaged(store.damaged())}};
}

// /api/series?node=42&signal=soc_pct[&from=NS&to=NS&buckets=N]
void SeriesEndpoint(const SeriesStore& store, const httplib::Request& request, httplib::Response& response) {
  const auto node = IntParam(request, "node");
  if (!node || !request.has_param("signal")) return BadRequest(request, response, "give node=ID and signal=NAME");
  const std::string signal = request.get_param_value("signal");
  const Series* series = store.Find(static_cast<uint32_t>(*node), signal);
  if (series == nullptr) return BadRequest(request, response, fmt::format("node {} sent no {}", *node, signal));
  const Range range = RangeOf(store, request);
  const Reduced reduced = Reduce(*series, range.from_ns, range.to_ns, range.buckets);
  const nlohmann::json out = {{"node", *node}, {"signal", signal}, {"samples", reduced.samples},
                              {"t_ns", reduced.t_ns}, {"min", reduced.min}, {"max", reduced.max}};
  SendJson(request, response, out.dump());
}

void JsonResult(Result<nlohmann::ordered_json> result, const httplib::Request& request, httplib::Response& response) {
  if (!result.ok()) {
    response.status = 500;
    SendJson(request, response, nlohmann::json{{"error", result.status().message()}}.dump());
    return;
  }
  SendJson(request, response, result->dump());
}

// /api/state?at=NS: what `state --at` prints for that moment.
void StateEndpoint(const SeriesStore& store, LogQueries& queries, const httplib::Request& request,
                   httplib::Response& response) {
  const auto at_ns = IntParam(request, "at");
  if (!at_ns) return BadRequest(request, response, "give at=NANOSECONDS (wall time)");
  JsonResult(queries.StateAt(std::clamp(*at_ns, store.first_ns(), store.last_ns())), request, response);
}

// /api/plots[?from=NS&to=NS&buckets=N]: every series of every pack, reduced
// as /api/series does, in one answer (one request instead of one per line),
// times as t_ms from the log's start.
void PlotsEndpoint(const SeriesStore& store, const httplib::Request& request, httplib::Response& response) {
  const Range range = RangeOf(store, request);
  nlohmann::json series = nlohmann::json::array();
  for (const uint32_t node : store.Nodes()) {
    for (const SignalInfo& signal : store.signals()) {
      const Series* found = store.Find(node, signal.name);
      if (found == nullptr) continue;
      const Reduced reduced = Reduce(*found, range.from_ns, range.to_ns, range.buckets);
      // Milliseconds from the log's start: a pixel never needs more, and the
      // answer is half the size of one with nanoseconds since 1970.
      std::vector<int64_t> t_ms;
      t_ms.reserve(reduced.t_ns.size());
      for (const int64_t t_ns : reduced.t_ns) t_ms.push_back((t_ns - store.first_ns()) / 1'000'000);
      series.push_back({{"node", node}, {"signal", signal.name}, {"samples", reduced.samples}, {"t_ms", t_ms},
                        {"min", reduced.min}, {"max", reduced.max}});
    }
  }
  SendJson(request, response, nlohmann::json{{"series", std::move(series)}}.dump());
}

Result<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(fmt::format("{}: Chart.js is missing; install Debian's libjs-chart.js "
                                        "(scripts/install-deps.sh does)", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Status Serve(const SeriesStore& store, LogQueries& queries, const ViewOptions& options) {
  auto chart_js = ReadFileText(kChartJsPath);
  if (!chart_js.ok()) return chart_js.status();
  httplib::Server server;
  const Body info = MakeBody(Info(store).dump(), "application/json; charset=utf-8");
  const Body script = MakeBody(std::move(*chart_js), "application/javascript; charset=utf-8");
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(ViewPage(), "text/html; charset=utf-8");
  });
  server.Get("/chart.js", [&script](const httplib::Request& request, httplib::Response& response) {
    Send(request, response, script);
  });
  server.Get("/api/info", [&info](const httplib::Request& request, httplib::Response& response) {
    Send(request, response, info);
  });
  server.Get("/api/series", [&store](const httplib::Request& request, httplib::Response& response) {
    SeriesEndpoint(store, request, response);
  });
  server.Get("/api/plots", [&store](const httplib::Request& request, httplib::Response& response) {
    PlotsEndpoint(store, request, response);
  });
  server.Get("/api/state", [&store, &queries](const httplib::Request& request, httplib::Response& response) {
    StateEndpoint(store, queries, request, response);
  });
  server.Get("/api/findings", [&queries](const httplib::Request& request, httplib::Response& response) {
    JsonResult(queries.Findings(), request, response);
  });
  server.Get("/api/timeline", [&queries](const httplib::Request& request, httplib::Response& response) {
    JsonResult(queries.Timeline(), request, response);
  });
  server.Get("/api/lanes", [&queries](const httplib::Request& request, httplib::Response& response) {
    JsonResult(queries.Lanes(), request, response);
  });
  // httplib's default also sets SO_REUSEPORT, which lets a second server share
  // a port in use; only SO_REUSEADDR (a quick restart) is wanted.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (!server.bind_to_port(options.bind.c_str(), options.port)) {
    return Status::InvalidArgument(fmt::format("{}:{}: cannot listen there (in use, or not an address of this machine): "
                                               "give another --port or --bind", options.bind, options.port));
  }
  // A stopper waits for the user's stop, or for the server to end by itself.
  int done[2] = {-1, -1};
  if (::pipe(done) != 0) return Status::IoError("cannot create a pipe");
  std::thread stopper([&server, user_fd = options.stop_fd, done_fd = done[0]] {
    pollfd fds[2] = {{done_fd, POLLIN, 0}, {user_fd, POLLIN, 0}};
    // Bounded: returns on the first event of either descriptor (retried only when interrupted).
    while (::poll(fds, user_fd >= 0 ? 2 : 1, -1) < 0 && errno == EINTR) {
    }
    server.stop();
  });
  if (options.on_ready) options.on_ready(options.port);
  const bool served = server.listen_after_bind();
  (void)!::write(done[1], "x", 1);
  stopper.join();
  ::close(done[0]);
  ::close(done[1]);
  return served ? Status::Ok() : Status::IoError("the HTTP server stopped with an error");
}

}  // namespace packtwin::view
