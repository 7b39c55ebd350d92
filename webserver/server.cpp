#include "webserver/server.hpp"

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

#include <csignal>
#include <cstdlib>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace isr::web {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(5);

// Accepts connections forever on one listening socket.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, tcp::acceptor acceptor, SessionHub& hub)
        : ioc_(ioc), acceptor_(std::move(acceptor)), hub_(hub) {}

    void start() { accept(); }
    void stop() {
        error_code ec;
        acceptor_.close(ec);
    }

private:
    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
            if (ec) {
                // EMFILE and friends: say so, then keep accepting rather than die.
                log::warning("web", "accept failed: ", ec.message());
            } else {
                start_http_session(std::move(socket), self->hub_);
            }
            self->accept();
        });
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    SessionHub& hub_;
};

} // namespace

std::vector<int> systemd_listen_fds() {
    std::vector<int> fds;
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    if (!pid || !count || std::atol(pid) != static_cast<long>(::getpid())) return fds;
    const int n = std::atoi(count);
    for (int i = 0; i < n; ++i) fds.push_back(3 + i); // SD_LISTEN_FDS_START
    // Children must not think the sockets are theirs.
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    return fds;
}

int Server::run() {
    // Declared so that the io_context dies first: the connections it still holds unregister
    // from the hub, which outlives them. The App's pools are stopped before that.
    SessionHub hub(router_, app_.work, app_.media);
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
            log::info("web", "serving on a socket passed by systemd (", acceptor.local_endpoint().address().to_string(),
                      ":", acceptor.local_endpoint().port(), ")");
            listeners.push_back(std::make_shared<Listener>(ioc, std::move(acceptor), hub));
        }
        if (passed.empty()) {
            error_code ec;
            const auto address = net::ip::make_address(app_.options.bind, ec);
            if (ec) throw std::runtime_error(cat("--bind ", app_.options.bind, ": not an IP address"));
            const tcp::endpoint endpoint(address, app_.options.port);
            tcp::acceptor acceptor(ioc);
            acceptor.open(endpoint.protocol());
            acceptor.set_option(net::socket_base::reuse_address(true));
            acceptor.bind(endpoint, ec);
            if (ec) {
                throw std::runtime_error(cat("cannot listen on ", app_.options.bind, ':', app_.options.port, ": ",
                                             ec.message(),
                                             ec == net::error::address_in_use ? " (another program uses this port; pick one with --port)" : ""));
            }
            acceptor.listen(net::socket_base::max_listen_connections);
            log::info("web", "isr-web ", kVersion, " serving ", app_.root->path().string(), " at http://",
                      app_.options.bind == "0.0.0.0" ? "localhost" : app_.options.bind, ':',
                      acceptor.local_endpoint().port(), "/");
            listeners.push_back(std::make_shared<Listener>(ioc, std::move(acceptor), hub));
        }
    } catch (const std::exception& e) {
        log::critical("web", e.what());
        return 1;
    }
    for (auto& l : listeners) l->start();

    net::steady_timer grace(ioc);
    const auto stop = [&](const char* why) {
        if (hub.stopping()) return;
        log::info("web", why, ": no new connections; finishing responses in flight (up to 5 s)");
        for (auto& l : listeners) l->stop();
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
        if (!ec) stop(sig == SIGINT ? "SIGINT" : "SIGTERM");
    });

    net::steady_timer idle(ioc);
    std::function<void()> watch_idle = [&] {
        idle.expires_after(std::chrono::seconds(1));
        idle.async_wait([&](error_code ec) {
            if (ec || hub.stopping()) return;
            if (hub.idle_seconds() >= *app_.options.idle_exit_seconds) {
                log::info("web", "no connection for ", *app_.options.idle_exit_seconds, " s: exiting (--idle-exit)");
                stop("idle");
                return;
            }
            watch_idle();
        });
    };
    if (app_.options.idle_exit_seconds) watch_idle();

    // When shutdown begins, the signal wait and timers are the last work; cancel them so the
    // io_context runs dry once the connections are gone.
    net::steady_timer reaper(ioc);
    std::function<void()> reap = [&] {
        reaper.expires_after(std::chrono::milliseconds(100));
        reaper.async_wait([&](error_code ec) {
            if (ec) return;
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
    for (int i = 1; i < app_.options.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    app_.stop_pools();
    log::info("web", "stopped");
    return 0;
}

} // namespace isr::web
