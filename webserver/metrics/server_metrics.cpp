#include "webserver/metrics/server_metrics.hpp"

#include <vector>

namespace isr::web {

void ServerMetrics::observe(std::string_view route, int status, double seconds) {
    const int cls = status / 100;
    std::lock_guard lock(mutex_);
    auto it = routes_.find(route);
    if (it == routes_.end())
        it = routes_.emplace(std::string(route), RouteStats{}).first;
    auto& stats = it->second;
    if (cls >= 1 && cls <= 5)
        ++stats.by_class[static_cast<std::size_t>(cls - 1)];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++stats.buckets[i];
    }
    ++stats.count;
    stats.sum += seconds;
}

void ServerMetrics::render(Exposition& out) const {
    std::map<std::string, RouteStats, std::less<>> routes;
    {
        std::lock_guard lock(mutex_);
        routes = routes_;
    }
    static constexpr std::array<std::string_view, 5> kClasses{"1xx", "2xx", "3xx", "4xx", "5xx"};
    out.family("isr_web_http_requests_total", "counter",
               "HTTP requests answered, by route pattern and status class.");
    for (const auto& [route, stats] : routes) {
        for (std::size_t c = 0; c < kClasses.size(); ++c) {
            if (stats.by_class[c] > 0) {
                out.sample("isr_web_http_requests_total", {{"route", route}, {"code", kClasses[c]}},
                           static_cast<double>(stats.by_class[c]));
            }
        }
    }
    out.family("isr_web_http_request_duration_seconds", "histogram",
               "Time from a request's arrival to the last byte of its response.");
    for (const auto& [route, stats] : routes) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            const auto le = format_sample_value(kBuckets[i]);
            out.sample("isr_web_http_request_duration_seconds_bucket",
                       {{"route", route}, {"le", le}}, static_cast<double>(stats.buckets[i]));
        }
        out.sample("isr_web_http_request_duration_seconds_bucket",
                   {{"route", route}, {"le", "+Inf"}}, static_cast<double>(stats.count));
        out.sample("isr_web_http_request_duration_seconds_sum", {{"route", route}}, stats.sum);
        out.sample("isr_web_http_request_duration_seconds_count", {{"route", route}},
                   static_cast<double>(stats.count));
    }
}

} // namespace isr::web
