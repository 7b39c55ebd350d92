#include "webserver/server.hpp"

#include "common/file_util.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/version.hpp"
#include "webserver/http_session.hpp"
#include "webserver/work_pool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::web {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(5);
constexpr auto kSettle = std::chrono::seconds(1);

// Accepts connections forever on one listening socket. Out of file descriptors, accept(2) fails
// while the connection stays queued, so a plain retry spins: instead one descriptor is kept in
// reserve, released to take the waiting connection and answer it 503, and the loop backs off
// when even that fails. Each episode is logged once when it starts and once when it ends; it ends
// only after accepts have worked for kSettle, because another thread's short-lived descriptor
// (a file read, a directory scan) lets a single accept through in the middle of an episode.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, tcp::acceptor acceptor, SessionHub& hub)
        : ioc_(ioc), strand_(net::make_strand(ioc)), acceptor_(std::move(acceptor)), hub_(hub),
          backoff_(strand_), settle_(strand_), spare_(open_spare()) {}

    void start() {
        net::dispatch(strand_, [self = shared_from_this()] { self->accept(); });
    }
    void stop() {
        net::dispatch(strand_, [self = shared_from_this()] {
            error_code ec;
            self->acceptor_.close(ec);
            self->backoff_.cancel();
            self->settle_.cancel();
        });
    }

private:
    static UniqueFd open_spare() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

    void accept() {
        // The sessions get strands of their own; this loop, its timers and its counters share one.
        acceptor_.async_accept(
            net::make_strand(ioc_),
            net::bind_executor(
                strand_, [self = shared_from_this()](error_code ec, tcp::socket socket) {
                    if (ec == net::error::operation_aborted || !self->acceptor_.is_open())
                        return;
                    if (ec == net::error::connection_aborted)
                        return self->accept(); // the client gave up
                    if (ec)
                        return self->accept_failed(ec);
                    self->accepted();
                    start_http_session(std::move(socket), self->hub_);
                    self->accept();
                }));
    }

    void accept_failed(const error_code& ec) {
        const bool out_of_fds = ec.value() == EMFILE || ec.value() == ENFILE;
        if (!failing_since_) {
            failing_since_ = std::chrono::steady_clock::now();
            rlimit limit{};
            ::getrlimit(RLIMIT_NOFILE, &limit);
            log::error("web", "cannot accept connections: ", ec.message(),
                       out_of_fds
                           ? cat(" (this process may open ", limit.rlim_cur,
                                 "); new connections get 503 until some close. Raise the limit: "
                                 "LimitNOFILE= in the systemd unit, or ulimit -n")
                           : std::string("; retrying"));
        }
        ++failures_;
        last_failure_ = std::chrono::steady_clock::now();
        settle_.cancel();
        settling_ = false;
        if (out_of_fds && shed_one()) {
            // One queued connection answered and gone: there may be more, take them at once.
            net::post(strand_, [self = shared_from_this()] { self->accept(); });
            return;
        }
        backoff_delay_ = std::min<std::chrono::milliseconds>(
            std::max(backoff_delay_ * 2, std::chrono::milliseconds(10)), std::chrono::seconds(1));
        backoff_.expires_after(backoff_delay_);
        backoff_.async_wait([self = shared_from_this()](error_code e) {
            if (!e && self->acceptor_.is_open())
                self->accept();
        });
    }

    // Frees the reserve descriptor to take one waiting connection, answers it 503 and closes it.
    bool shed_one() {
        if (!spare_)
            spare_ = open_spare();
        if (!spare_)
            return false;
        spare_.reset();
        pollfd p{acceptor_.native_handle(), POLLIN, 0};
        bool shed = false;
        if (::poll(&p, 1, 0) == 1) {
            const UniqueFd fd(::accept4(acceptor_.native_handle(), nullptr, nullptr,
                                        SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (fd) {
                static constexpr std::string_view kBusy =
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
                    "charset=utf-8\r\n"
                    "Retry-After: 5\r\nConnection: close\r\nContent-Length: 71\r\n\r\n"
                    "{\"error\": \"the server has too many connections open; try again shortly\"}";
                static_cast<void>(
                    ::send(fd.get(), kBusy.data(), kBusy.size(), MSG_NOSIGNAL | MSG_DONTWAIT));
                ++shed_;
                shed = true;
            }
        }
        spare_ = open_spare();
        return shed;
    }

    // An accept worked during an episode: the episode ends if none fails for kSettle.
    void accepted() {
        if (!failing_since_ || settling_)
            return;
        settling_ = true;
        settle_.expires_after(kSettle);
        settle_.async_wait([self = shared_from_this()](error_code e) {
            if (!e && self->settling_)
                self->recovered();
        });
    }

    void recovered() {
        settling_ = false;
        if (!failing_since_)
            return;
        const auto lasted = std::chrono::duration<double>(last_failure_ - *failing_since_).count();
        log::info("web", "accepting connections again after ", fixed(lasted, 1), " s (", failures_,
                  " failed accepts, ", shed_, " connection(s) answered 503)");
        failing_since_.reset();
        failures_ = 0;
        shed_ = 0;
        backoff_delay_ = {};
    }

    net::io_context& ioc_;
    net::strand<net::io_context::executor_type> strand_;
    tcp::acceptor acceptor_;
    SessionHub& hub_;
    net::steady_timer backoff_;
    net::steady_timer settle_;
    bool settling_ = false;
    UniqueFd spare_;
    std::optional<std::chrono::steady_clock::time_point> failing_since_;
    std::chrono::steady_clock::time_point last_failure_{};
    std::chrono::milliseconds backoff_delay_{};
    std::uint64_t failures_ = 0;
    std::uint64_t shed_ = 0;
};

// Ends the process if it is still alive `grace` after construction, unless destroyed first.
class ShutdownDeadline {
public:
    explicit ShutdownDeadline(std::chrono::seconds grace)
        : thread_([this, grace] {
              std::unique_lock lock(mutex_);
              if (done_.wait_for(lock, grace, [this] { return finished_; }))
                  return;
              log::error("web", "jobs still running ", grace.count(),
                         " s after the connections closed; exiting without them");
              std::_Exit(1);
          }) {}
    ~ShutdownDeadline() {
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        done_.notify_all();
        thread_.join();
    }
    ShutdownDeadline(const ShutdownDeadline&) = delete;
    ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable done_;
    bool finished_ = false;
    std::thread thread_; // last: it starts once the members it uses exist
};

// Runs the io_context on this thread until it has no more work. An exception that escapes a
// completion handler (Beast's own composed operations run code we cannot wrap) ends only the
// connection it belonged to: its handler is gone with the unwinding, the others go on.
void run_io(net::io_context& ioc) noexcept {
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            log::error("web", "a connection ended on an internal error: ", e.what());
        } catch (...) {
            log::error("web", "a connection ended on an unknown internal error");
        }
    }
}

} // namespace

std::vector<int> systemd_listen_fds() {
    std::vector<int> fds;
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    if (!pid || !count || std::atol(pid) != static_cast<long>(::getpid()))
        return fds;
    const int n = std::atoi(count);
    for (int i = 0; i < n; ++i)
        fds.push_back(3 + i); // SD_LISTEN_FDS_START
    // Children must not think the sockets are theirs.
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    return fds;
}

int Server::run() {
    // Declared so that the io_context dies first: the connections it still holds unregister
    // from the hub, which outlives them. The App's pools are stopped before that.
    SessionHub hub(
        router_, app_.work, app_.media, app_.metrics,
        std::chrono::milliseconds(std::llround(app_.options.request_timeout_seconds * 1000)));
    net::io_context ioc(app_.options.threads);

    std::vector<std::shared_ptr<Listener>> listeners;
    const auto passed = systemd_listen_fds();
    try {
        for (const int fd : passed) {
            sockaddr_storage addr{};
            socklen_t len = sizeof addr;
            if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
                throw std::runtime_error(cat("LISTEN_FDS socket ", fd, " is not a socket"));
            }
            tcp::acceptor acceptor(ioc, addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd);
            log::info("web", "serving on a socket passed by systemd (",
                      acceptor.local_endpoint().address().to_string(), ":",
                      acceptor.local_endpoint().port(), ")");
            listeners.push_back(std::make_shared<Listener>(ioc, std::move(acceptor), hub));
        }
        if (passed.empty()) {
            error_code ec;
            const auto address = net::ip::make_address(app_.options.bind, ec);
            if (ec)
                throw std::runtime_error(cat("--bind ", app_.options.bind, ": not an IP address"));
            const tcp::endpoint endpoint(address, app_.options.port);
            tcp::acceptor acceptor(ioc);
            acceptor.open(endpoint.protocol());
            acceptor.set_option(net::socket_base::reuse_address(true));
            acceptor.bind(endpoint, ec);
            if (ec) {
                throw std::runtime_error(
                    cat("cannot listen on ", app_.options.bind, ':', app_.options.port, ": ",
                        ec.message(),
                        ec == net::error::address_in_use
                            ? " (another program uses this port; pick one with --port)"
                            : ""));
            }
            acceptor.listen(net::socket_base::max_listen_connections);
            log::info("web", "isr-web ", kVersion, " serving ", app_.root->path().string(),
                      " at http://",
                      app_.options.bind == "0.0.0.0" ? "localhost" : app_.options.bind, ':',
                      acceptor.local_endpoint().port(), "/");
            listeners.push_back(std::make_shared<Listener>(ioc, std::move(acceptor), hub));
        }
    } catch (const std::exception& e) {
        log::critical("web", e.what());
        return 1;
    }
    for (auto& l : listeners)
        l->start();

    net::steady_timer grace(ioc);
    const auto stop = [&](const char* why) {
        if (hub.stopping())
            return;
        log::info("web", why, ": no new connections; finishing responses in flight (up to 5 s)");
        for (auto& l : listeners)
            l->stop();
        hub.begin_shutdown();
        grace.expires_after(kShutdownGrace);
        grace.async_wait([&](error_code ec) {
            if (!ec && hub.active() > 0) {
                log::info("web", "closing ", hub.active(), " connection(s) still open");
                hub.close_all();
            }
        });
    };

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](error_code ec, int sig) {
        if (!ec)
            stop(sig == SIGINT ? "SIGINT" : "SIGTERM");
    });

    net::steady_timer idle(ioc);
    std::function<void()> watch_idle = [&] {
        idle.expires_after(std::chrono::seconds(1));
        idle.async_wait([&](error_code ec) {
            if (ec || hub.stopping())
                return;
            if (hub.idle_seconds() >= *app_.options.idle_exit_seconds) {
                log::info("web", "no connection for ", *app_.options.idle_exit_seconds,
                          " s: exiting (--idle-exit)");
                stop("idle");
                return;
            }
            watch_idle();
        });
    };
    if (app_.options.idle_exit_seconds)
        watch_idle();

    // When shutdown begins, the signal wait and timers are the last work; cancel them so the
    // io_context runs dry once the connections are gone.
    net::steady_timer reaper(ioc);
    std::function<void()> reap = [&] {
        reaper.expires_after(std::chrono::milliseconds(100));
        reaper.async_wait([&](error_code ec) {
            if (ec)
                return;
            if (hub.stopping() && hub.active() == 0) {
                signals.cancel();
                idle.cancel();
                grace.cancel();
                return;
            }
            reap();
        });
    };
    reap();

    std::vector<std::thread> threads;
    for (int i = 1; i < app_.options.threads; ++i)
        threads.emplace_back([&ioc] { run_io(ioc); });
    run_io(ioc);
    for (auto& t : threads)
        t.join();
    // Whatever still runs in the pools is for connections that are gone: analyses are cancelled,
    // queued work dropped. Should a job still not return (a file on a hung network mount), the
    // process does not wait for it beyond the grace.
    {
        const ShutdownDeadline deadline(kShutdownGrace);
        app_.stop_pools();
    }
    log::info("web", "stopped");
    return 0;
}

} // namespace isr::web
