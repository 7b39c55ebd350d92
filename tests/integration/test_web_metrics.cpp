// GET /metrics over real HTTP: the Prometheus text format as promtool checks it, built from
// status.json and the server's own counters.
#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <thread>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// The value of the sample whose line starts with `series` (name and labels as written).
std::optional<double> sample(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos)
        return std::nullopt;
    const auto start = at + series.size() + 2;
    return std::stod(text.substr(start, text.find('\n', start) - start));
}

} // namespace

TEST_CASE("/metrics passes promtool and reports sources, alarms, disk and requests",
          "[integration][web][metrics]") {
    TempDir dir("isr-web-metrics");
    const auto rec = dir / "rec";
    fs::create_directories(rec / "mic");
    write_file(rec / "mic" / "a.wav", std::string(1000, '\0'));

    Status s;
    s.updated = iso8601_now();
    s.pid = 42;
    SourceStatus mic;
    mic.name = "mic";
    mic.state = RunState::recording;
    mic.bytes_total = 123456;
    mic.files = 3;
    mic.xruns = 2;
    mic.level_dbfs = -72.5;
    mic.last_data = iso8601_now();
    mic.alarm = Alarm{"silence", iso8601_now(), "mic: below -60 dBFS for 600 s"};
    mic.events_total = 5;
    mic.events_suppressed = 2;
    s.sources.push_back(mic);
    SourceStatus radio;
    radio.name = "radio \"2\"\\x"; // quotes and backslashes must be escaped in label values
    radio.type = SourceType::stream;
    radio.state = RunState::retrying;
    radio.reconnects = 7;
    s.sources.push_back(radio);
    s.alarm = Alarm{"disk_low", iso8601_now(), "nothing left to delete"};
    write_status_file(rec / "status.json", s);

    WebServer web(rec);
    CHECK(web.get("/api/files").status == 200);
    CHECK(web.get("/stream/no/such/file.wav").status == 404);

    // A request is counted once its response is written, which the client may see first; each
    // connection has its own strand, so the second request may be counted before the first.
    HttpResponse r;
    REQUIRE(wait_until(
        [&] {
            r = web.get("/metrics");
            return r.body.find(R"(route="/stream/{path*}",code="4xx")") != std::string::npos &&
                   r.body.find(R"(route="/api/files",code="2xx")") != std::string::npos;
        },
        5s));
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    const auto& m = r.body;
    INFO(m);
    CHECK(sample(m, "isr_recorder_running") == 1.0);
    CHECK(sample(m, R"(isr_recorder_alarm{kind="disk_low"})") == 1.0);
    CHECK(sample(m, R"(isr_source_up{source="mic",type="soundcard"})") == 1.0);
    CHECK(sample(m, R"(isr_source_up{source="radio \"2\"\\x",type="stream"})") == 0.0);
    CHECK(
        sample(m, R"(isr_source_state{source="radio \"2\"\\x",type="stream",state="retrying"})") ==
        1.0);
    CHECK(sample(m, R"(isr_source_reconnects_total{source="radio \"2\"\\x",type="stream"})") ==
          7.0);
    CHECK(sample(m, R"(isr_source_written_bytes_total{source="mic",type="soundcard"})") ==
          123456.0);
    CHECK(sample(m, R"(isr_source_files_total{source="mic",type="soundcard"})") == 3.0);
    CHECK(sample(m, R"(isr_source_loud_events_total{source="mic",type="soundcard"})") == 5.0);
    CHECK(sample(m, R"(isr_source_loud_events_suppressed_total{source="mic",type="soundcard"})") ==
          2.0);
    CHECK(sample(m, R"(isr_source_level_dbfs{source="mic",type="soundcard"})") == -72.5);
    CHECK(sample(m, R"(isr_source_alarm{source="mic",type="soundcard",kind="silence"})") == 1.0);
    CHECK(sample(m, R"(isr_source_alarm{source="mic",type="soundcard",kind="no_data"})") == 0.0);
    CHECK(sample(m, R"(isr_source_last_data_age_seconds{source="mic",type="soundcard"})") < 60);
    CHECK(sample(m, "isr_disk_size_bytes") > 0);
    CHECK(sample(m, "isr_recordings_bytes") == 1000.0);
    // Requests are counted by route pattern, never by the path a client sent.
    CHECK(sample(m, R"(isr_web_http_requests_total{route="/api/files",code="2xx"})") == 1.0);
    CHECK(sample(m, R"(isr_web_http_requests_total{route="/stream/{path*}",code="4xx"})") == 1.0);
    CHECK(m.find("no/such/file") == std::string::npos);
    CHECK(sample(m, R"(isr_web_http_request_duration_seconds_count{route="/api/files"})") == 1.0);
    CHECK(sample(m,
                 R"(isr_web_http_request_duration_seconds_bucket{route="/api/files",le="+Inf"})") ==
          1.0);
    CHECK(sample(m, "isr_web_analysis_cache_misses_total") == 0.0);

    const auto file = dir / "metrics.txt";
    write_file(file, m);
    const auto check = run_command("promtool check metrics < " + file.string() + " 2>&1");
    INFO(check.output);
    CHECK(check.status == 0);
    CHECK(check.output.empty());

    // The recorder stops: every source reads as down, alarms as cleared (nobody is watching).
    s.updated = iso8601(std::chrono::system_clock::now() - 60s);
    write_status_file(rec / "status.json", s);
    std::this_thread::sleep_for(600ms); // the server re-reads status.json twice a second
    const auto stale = web.get("/metrics").body;
    CHECK(sample(stale, "isr_recorder_running") == 0.0);
    CHECK(sample(stale, R"(isr_source_up{source="mic",type="soundcard"})") == 0.0);
    CHECK(sample(stale, R"(isr_source_alarm{source="mic",type="soundcard",kind="silence"})") ==
          0.0);
}
