#pragma once

#include "webserver/router.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace isr::web {

class WorkPool;
class HttpSession;

// What every connection shares: the routes, where blocking handlers run, and the server's
// lifecycle (shutdown, idle exit). Thread-safe.
class SessionHub {
public:
    SessionHub(const Router& router, WorkPool& work, WorkPool& media)
        : router_(router), work_(work), media_(media) {}

    const Router& router() const noexcept { return router_; }
    WorkPool& pool(Runs runs) noexcept { return runs == Runs::media_pool ? media_ : work_; }

    void add(const std::shared_ptr<HttpSession>& session);
    void remove(HttpSession* session) noexcept;
    std::size_t active() const;
    // Seconds since the last connection closed or opened (for --idle-exit).
    double idle_seconds() const;

    bool stopping() const noexcept { return stopping_; }
    // Graceful: idle connections close now, busy ones after their response.
    void begin_shutdown();
    // Closes every connection that is still open.
    void close_all();

private:
    std::vector<std::shared_ptr<HttpSession>> snapshot() const;

    const Router& router_;
    WorkPool& work_;
    WorkPool& media_;
    mutable std::mutex mutex_;
    std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;
    std::chrono::steady_clock::time_point last_change_ = std::chrono::steady_clock::now();
    std::atomic<bool> stopping_{false};
};

// Serves one TCP connection: reads requests with limits (16 KiB of headers, 64 KiB of body)
// and deadlines (the next request must start within 30 s of the previous response, and arrive
// whole within 10 s: slow-loris clients are cut off), runs the matching handler, writes the
// response (files with sendfile), keeps the connection alive when the client wants to.
void start_http_session(boost::asio::ip::tcp::socket socket, SessionHub& hub);

} // namespace isr::web
