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
class ServerMetrics;
class HttpSession;

// What every connection shares: the routes, where blocking handlers run, and the server's
// lifecycle (shutdown, idle exit). Thread-safe.
class SessionHub {
public:
    SessionHub(const Router& router, WorkPool& work, WorkPool& media, ServerMetrics& metrics,
               std::chrono::milliseconds request_timeout)
        : router_(router), work_(work), media_(media), metrics_(metrics),
          request_timeout_(request_timeout) {}

    const Router& router() const noexcept { return router_; }
    // How long a client may take to send a whole request once it has begun (--request-timeout).
    std::chrono::milliseconds request_timeout() const noexcept { return request_timeout_; }
    WorkPool& pool(Runs runs) noexcept { return runs == Runs::media_pool ? media_ : work_; }
    ServerMetrics& metrics() noexcept { return metrics_; }

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
    ServerMetrics& metrics_;
    std::chrono::milliseconds request_timeout_;
    mutable std::mutex mutex_;
    std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;
    std::chrono::steady_clock::time_point last_change_ = std::chrono::steady_clock::now();
    std::atomic<bool> stopping_{false};
};

// Serves one TCP connection: reads requests within limits (RequestParser's, and a bounded read
// buffer), runs the matching handler (inline or on a pool), writes the response (files with
// sendfile, produced bodies from a ChunkChannel) and keeps the connection alive when the client
// wants to. One timer guards the phase the connection is in: 30 s idle between requests, 10 s
// (--request-timeout) for a request to arrive whole (slow-loris clients are cut off), 60 s without
// the client reading any of its response, 60 s without our producer yielding anything; none while a
// handler runs. No input and no exception ends the process: each is logged and closes this
// connection.
void start_http_session(boost::asio::ip::tcp::socket socket, SessionHub& hub);

} // namespace isr::web
