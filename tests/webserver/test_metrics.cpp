#include "webserver/metrics/exposition.hpp"
#include "webserver/metrics/server_metrics.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace isr::web;

TEST_CASE("exposition: families, labels escaped, values as the text format writes them",
          "[metrics]") {
    Exposition out;
    out.family("isr_x_total", "counter", "Things\nwith a back\\slash.");
    out.sample("isr_x_total", {{"source", "a \"b\"\\c\nd"}, {"type", "stream"}}, 3);
    out.sample("isr_x_total", 0.25);
    out.sample("isr_x_total", std::numeric_limits<double>::infinity());
    out.sample("isr_x_total", std::numeric_limits<double>::quiet_NaN());
    out.sample("isr_x_total", -72.5);
    CHECK(out.text() == "# HELP isr_x_total Things\\nwith a back\\\\slash.\n"
                        "# TYPE isr_x_total counter\n"
                        "isr_x_total{source=\"a \\\"b\\\"\\\\c\\nd\",type=\"stream\"} 3\n"
                        "isr_x_total 0.25\n"
                        "isr_x_total +Inf\n"
                        "isr_x_total NaN\n"
                        "isr_x_total -72.5\n");
    CHECK(format_sample_value(123456789012.0) == "123456789012");
    CHECK(format_sample_value(-0.125) == "-0.125");
}

TEST_CASE("server metrics: requests by route and status class, durations in cumulative buckets",
          "[metrics]") {
    ServerMetrics metrics;
    metrics.observe("/api/files", 200, 0.004);
    metrics.observe("/api/files", 206, 0.3);
    metrics.observe("/api/files", 404, 120);
    metrics.observe("unmatched", 400, 0.001);
    Exposition out;
    metrics.render(out);
    const auto& t = out.text();
    INFO(t);
    CHECK(t.find("isr_web_http_requests_total{route=\"/api/files\",code=\"2xx\"} 2\n") !=
          std::string::npos);
    CHECK(t.find("isr_web_http_requests_total{route=\"/api/files\",code=\"4xx\"} 1\n") !=
          std::string::npos);
    CHECK(t.find("isr_web_http_requests_total{route=\"/api/files\",code=\"5xx\"}") ==
          std::string::npos);
    CHECK(t.find("isr_web_http_requests_total{route=\"unmatched\",code=\"4xx\"} 1\n") !=
          std::string::npos);
    // Cumulative: 0.004 s is in every bucket, 0.3 s from 0.5 on, 120 s only in +Inf.
    CHECK(t.find("duration_seconds_bucket{route=\"/api/files\",le=\"0.005\"} 1\n") !=
          std::string::npos);
    CHECK(t.find("duration_seconds_bucket{route=\"/api/files\",le=\"0.25\"} 1\n") !=
          std::string::npos);
    CHECK(t.find("duration_seconds_bucket{route=\"/api/files\",le=\"0.5\"} 2\n") !=
          std::string::npos);
    CHECK(t.find("duration_seconds_bucket{route=\"/api/files\",le=\"60\"} 2\n") !=
          std::string::npos);
    CHECK(t.find("duration_seconds_bucket{route=\"/api/files\",le=\"+Inf\"} 3\n") !=
          std::string::npos);
    CHECK(t.find("duration_seconds_count{route=\"/api/files\"} 3\n") != std::string::npos);
    CHECK(t.find("duration_seconds_sum{route=\"/api/files\"} 120.304\n") != std::string::npos);
}
