// isrd under systemd's notify protocol: a real isrd, with NOTIFY_SOCKET pointing at a datagram
// socket of the test's, as systemd starts a Type=notify service with WatchdogSec.
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstddef>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;

namespace {

// systemd's end: a datagram socket bound to a path; collects what arrives.
class NotifyListener {
public:
    explicit NotifyListener(const std::filesystem::path& path)
        : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)), path_(path) {
        REQUIRE(fd_ >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(path.native().size() < sizeof addr.sun_path);
        path.native().copy(addr.sun_path, path.native().size());
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~NotifyListener() { ::close(fd_); }
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    // Reads what has arrived, waiting up to `timeout` for `done` to hold over all messages.
    template <class Done> bool wait_for(Done done, std::chrono::milliseconds timeout) {
        return wait_until(
            [&] {
                pollfd p{fd_, POLLIN, 0};
                while (::poll(&p, 1, 0) == 1) {
                    char buffer[4096];
                    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
                    if (n < 0)
                        break;
                    messages.emplace_back(buffer, static_cast<std::size_t>(n));
                }
                return done(messages);
            },
            timeout, 20ms);
    }
    // How many messages hold `text`.
    std::size_t count(const std::string& text) const {
        std::size_t n = 0;
        for (const auto& m : messages)
            n += m.find(text) != std::string::npos ? 1 : 0;
        return n;
    }

    std::vector<std::string> messages;

private:
    int fd_;
    std::filesystem::path path_;
};

} // namespace

TEST_CASE("isrd tells systemd READY, its status and watchdog pings, then STOPPING on SIGTERM",
          "[integration][isrd][systemd]") {
    IsrdRun run;
    run.write_config("", "[gen]\ntype = generator\nformat = wav\nchannels = 1\n"
                         "sample_rate = 8000\n");
    NotifyListener systemd(run.dir / "notify");
    // WatchdogSec=1: a ping every half second.
    run.start({{"NOTIFY_SOCKET", (run.dir / "notify").string()}, {"WATCHDOG_USEC", "1000000"}});

    const auto has = [&](const std::string& text) {
        return [text](const std::vector<std::string>& messages) {
            for (const auto& m : messages)
                if (m.find(text) != std::string::npos)
                    return true;
            return false;
        };
    };
    REQUIRE(systemd.wait_for(has("READY=1"), 10s));
    CHECK(systemd.wait_for(has("STATUS=1 recording: gen"), 10s));
    // Pings keep coming while the generator's thread comes around.
    const auto pings = systemd.count("WATCHDOG=1");
    CHECK(systemd.wait_for(
        [&](const std::vector<std::string>&) { return systemd.count("WATCHDOG=1") >= pings + 3; },
        5s));
    CHECK(systemd.count("STOPPING=1") == 0);

    run.process->signal(SIGTERM);
    CHECK(systemd.wait_for(has("STOPPING=1"), 10s));
    CHECK(run.process->wait(10s) == 0);
    INFO(run.process->log());
    // Every datagram reached the socket (a failed send is logged).
    CHECK(run.process->log().find("cannot notify systemd") == std::string::npos);
}
