#pragma once

#include "webserver/metrics/exposition.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace isr::web {

// isr-web's own counters for /metrics: requests by route and status class, and how long they
// took (from the request's arrival to the last byte of its response). Routes are the route
// table's patterns ("/stream/{path*}"), never raw paths, so no client can grow the set.
// Thread-safe.
class ServerMetrics {
public:
    // Upper bounds of the duration histogram's buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 12> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10,  60};

    void observe(std::string_view route, int status, double seconds);
    // isr_web_http_requests_total and isr_web_http_request_duration_seconds.
    void render(Exposition& out) const;

private:
    struct RouteStats {
        std::array<std::uint64_t, 5> by_class{}; // 1xx .. 5xx
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::string, RouteStats, std::less<>> routes_;
};

} // namespace isr::web
