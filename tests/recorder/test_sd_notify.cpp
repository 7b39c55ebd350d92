// systemd's notification protocol, received on real AF_UNIX datagram sockets: one bound to a
// path in a scratch folder, one in the abstract namespace (as systemd's own NOTIFY_SOCKET is).
#include "recorder/systemd/sd_notify.hpp"

#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace isr;
using namespace isr::rec;

namespace {

// A datagram socket standing in for systemd's end. `name` is a path, or "@name" (abstract).
class Listener {
public:
    explicit Listener(const std::string& name) : fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
        REQUIRE(fd_);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::string bytes = name;
        if (bytes[0] == '@')
            bytes[0] = '\0';
        REQUIRE(bytes.size() < sizeof addr.sun_path);
        bytes.copy(addr.sun_path, bytes.size());
        const auto length =
            offsetof(sockaddr_un, sun_path) + bytes.size() + (bytes[0] == '\0' ? 0 : 1);
        REQUIRE(::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr),
                       static_cast<socklen_t>(length)) == 0);
    }
    // The next datagram, or nullopt after `wait_ms` without one.
    std::optional<std::string> receive(int wait_ms = 1000) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, wait_ms) != 1)
            return std::nullopt;
        char buffer[4096];
        const auto n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
        REQUIRE(n >= 0);
        return std::string(buffer, static_cast<std::size_t>(n));
    }

private:
    UniqueFd fd_;
};

std::string abstract_name() {
    return "@isr-test-notify-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand());
}

} // namespace

TEST_CASE("sd_notify sends each message as one datagram to a socket path", "[recorder][systemd]") {
    test::ScratchDir dir("isr-notify");
    const auto path = (dir.path / "notify").string();
    Listener systemd(path);
    SdNotify notify(path, std::nullopt);
    REQUIRE(notify.active());
    CHECK_FALSE(notify.watchdog_interval());
    REQUIRE(notify.send("READY=1\nSTATUS=1 recording: mic"));
    CHECK(systemd.receive() == "READY=1\nSTATUS=1 recording: mic");
    REQUIRE(notify.send("WATCHDOG=1"));
    CHECK(systemd.receive() == "WATCHDOG=1");
}

TEST_CASE("sd_notify reaches an abstract-namespace socket named with @", "[recorder][systemd]") {
    const auto name = abstract_name();
    Listener systemd(name);
    SdNotify notify(name, 30.0);
    REQUIRE(notify.active());
    CHECK(notify.watchdog_interval() == Approx(15.0));
    REQUIRE(notify.send("STOPPING=1"));
    CHECK(systemd.receive() == "STOPPING=1");
    // The address is the name's bytes without a trailing NUL: a listener on the same name with
    // one more character must not receive it.
    Listener other(name + "x");
    REQUIRE(notify.send("WATCHDOG=1"));
    CHECK(systemd.receive() == "WATCHDOG=1");
    CHECK_FALSE(other.receive(100));
}

TEST_CASE("sd_notify from the environment: NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID",
          "[recorder][systemd]") {
    const auto name = abstract_name();
    Listener systemd(name);
    const auto pid = std::to_string(::getpid());
    SECTION("watchdog for this process") {
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
        ::setenv("WATCHDOG_USEC", "30000000", 1);
        ::setenv("WATCHDOG_PID", pid.c_str(), 1);
        auto notify = SdNotify::from_environment();
        CHECK(notify.watchdog_interval() == Approx(15.0));
        REQUIRE(notify.send("READY=1"));
        CHECK(systemd.receive() == "READY=1");
        // Taken out of the environment, so hook commands do not speak for isrd.
        CHECK(std::getenv("NOTIFY_SOCKET") == nullptr);
        CHECK(std::getenv("WATCHDOG_USEC") == nullptr);
        CHECK(std::getenv("WATCHDOG_PID") == nullptr);
    }
    SECTION("a watchdog meant for another process is not ours") {
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
        ::setenv("WATCHDOG_USEC", "30000000", 1);
        ::setenv("WATCHDOG_PID", "1", 1);
        auto notify = SdNotify::from_environment();
        CHECK(notify.active());
        CHECK_FALSE(notify.watchdog_interval());
    }
    SECTION("no NOTIFY_SOCKET: nothing is sent, and sending is no error") {
        ::unsetenv("NOTIFY_SOCKET");
        ::setenv("WATCHDOG_USEC", "30000000", 1);
        auto notify = SdNotify::from_environment();
        CHECK_FALSE(notify.active());
        CHECK_FALSE(notify.watchdog_interval());
        CHECK(notify.send("READY=1"));
        CHECK_FALSE(systemd.receive(100));
        ::unsetenv("WATCHDOG_USEC");
    }
    SECTION("a relative path is refused (systemd never gives one)") {
        ::setenv("NOTIFY_SOCKET", "notify.sock", 1);
        CHECK_FALSE(SdNotify::from_environment().active());
    }
}

TEST_CASE("sd_notify reports a socket nobody listens on as a failed send", "[recorder][systemd]") {
    test::ScratchDir dir("isr-notify");
    SdNotify notify((dir.path / "gone").string(), std::nullopt);
    REQUIRE(notify.active());
    CHECK_FALSE(notify.send("READY=1"));
    CHECK_FALSE(notify.send("READY=1")); // logged once, still failing
}
