// When isrd may tell systemd it is alive, and what it tells it, with the clock given by the test.
#include "recorder/systemd/service_notifier.hpp"
#include "recorder/systemd/status_line.hpp"
#include "recorder/systemd/watchdog_gate.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <optional>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace isr;
using namespace isr::rec;

TEST_CASE("the watchdog gate opens only while every source's thread shows progress",
          "[recorder][systemd]") {
    WatchdogGate gate(20);
    const double t = 1000;
    std::vector<WatchdogGate::Source> sources{{"mic", t, false}, {"radio", t, false}};

    auto v = gate.check(sources, t + 19.9);
    CHECK(v.healthy);
    CHECK(v.error.empty());

    // radio's thread has not come around for 25 s: stuck, named once.
    sources[0].alive_mono = t + 24;
    v = gate.check(sources, t + 25);
    CHECK_FALSE(v.healthy);
    CHECK(v.error.find("radio") != std::string::npos);
    CHECK(v.error.find("25 s") != std::string::npos);
    v = gate.check(sources, t + 26);
    CHECK_FALSE(v.healthy);
    CHECK(v.error.empty()); // logged once per episode

    // It comes around again: pings resume, and that is logged once.
    sources[1].alive_mono = t + 27;
    v = gate.check(sources, t + 27.5);
    CHECK(v.healthy);
    CHECK(v.recovered.find("radio") != std::string::npos);
    v = gate.check(sources, t + 28);
    CHECK(v.healthy);
    CHECK(v.recovered.empty());
}

TEST_CASE("the watchdog gate lets sources wait on purpose for as long as they like",
          "[recorder][systemd]") {
    WatchdogGate gate(20);
    // Waiting for the retry delay (up to an hour), paused, or given up: no progress, not stuck.
    std::vector<WatchdogGate::Source> sources{{"mic", 0, true}, {"radio", 3590, false}};
    CHECK(gate.check(sources, 3600).healthy);
    // The wait ends; the thread must then come around within the window like any other.
    sources[0] = {"mic", 3600, false};
    sources[1].alive_mono = 3615;
    CHECK(gate.check(sources, 3619).healthy);
    CHECK_FALSE(gate.check(sources, 3621).healthy);
}

TEST_CASE("the watchdog gate names the source silent the longest", "[recorder][systemd]") {
    WatchdogGate gate(20);
    const std::vector<WatchdogGate::Source> sources{
        {"a", 70, false}, {"b", 50, false}, {"c", 60, false}};
    const auto v = gate.check(sources, 100);
    CHECK_FALSE(v.healthy);
    CHECK(v.error.find("source b's thread has shown no progress for 50 s") != std::string::npos);
}

namespace {

SourceStatus source(std::string name, RunState state, std::optional<std::string> error = {}) {
    SourceStatus s;
    s.name = std::move(name);
    s.state = state;
    s.error = std::move(error);
    return s;
}

} // namespace

TEST_CASE("the status line counts states and names the sources that are not recording",
          "[recorder][systemd]") {
    Status s;
    s.sources = {source("mic", RunState::recording), source("radio1", RunState::recording)};
    CHECK(status_line(s) == "2 recording: mic, radio1");

    s.sources.push_back(
        source("radio2", RunState::retrying, "http://h/live: HTTP 503 Service Unavailable"));
    s.sources.push_back(source("radio3", RunState::connecting));
    CHECK(status_line(s) == "2 recording, 1 connecting, 1 retrying: radio2 http://h/live: HTTP "
                            "503 Service Unavailable; radio3");

    // Long errors are cut: a line, not a report.
    s.sources = {source("x", RunState::failed, std::string(500, 'e'))};
    const auto line = status_line(s);
    CHECK(line.size() < 120);
    CHECK(line.rfind("1 failed: x eee", 0) == 0);
    CHECK(status_line(Status{}) == "no sources");
}

namespace {

// systemd's end of NOTIFY_SOCKET, in the abstract namespace.
struct FakeSystemd {
    std::string name =
        "@isr-test-notifier-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand());
    UniqueFd fd{::socket(AF_UNIX, SOCK_DGRAM, 0)};
    FakeSystemd() {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        name.copy(addr.sun_path + 1, name.size() - 1, 1);
        REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr),
                       static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0);
    }
    // Every datagram already sent, joined by '|'.
    std::string drain() {
        std::string all;
        char buffer[4096];
        pollfd p{fd.get(), POLLIN, 0};
        while (::poll(&p, 1, 20) == 1) {
            const auto n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            REQUIRE(n >= 0);
            all += (all.empty() ? "" : "|") + std::string(buffer, static_cast<std::size_t>(n));
        }
        return all;
    }
};

} // namespace

TEST_CASE("the service notifier: READY once every source started, STATUS on change, WATCHDOG "
          "while all progress",
          "[recorder][systemd]") {
    FakeSystemd systemd;
    ServiceNotifier notifier(SdNotify(systemd.name, 30.0), 20);
    Status status;
    status.sources = {source("mic", RunState::starting), source("radio", RunState::connecting)};
    std::vector<ServiceNotifier::Source> sources{{"mic", {100, false, true}},
                                                 {"radio", {100, false, false}}};

    notifier.update(status, sources, 100);
    // radio's first attempt has not begun: no READY yet; the status and a ping go out.
    CHECK(systemd.drain() == "STATUS=1 starting, 1 connecting: mic; radio\n|WATCHDOG=1");
    CHECK(notifier.next_due() == 0);

    sources[1].liveness.attempted = true;
    notifier.update(status, sources, 101);
    CHECK(systemd.drain() == "READY=1\n"); // the status line has not changed

    status.sources[0].state = RunState::recording;
    status.sources[1].state = RunState::recording;
    notifier.update(status, sources, 110);
    CHECK(systemd.drain() == "STATUS=2 recording: mic, radio\n");
    CHECK(notifier.next_due() == Approx(115)); // every half WatchdogSec

    sources[0].liveness.alive_mono = 114;
    notifier.update(status, sources, 115);
    CHECK(systemd.drain() == "WATCHDOG=1");

    // radio's thread is stuck since 100: no ping at 130, checked again a second later.
    sources[0].liveness.alive_mono = 124;
    notifier.update(status, sources, 130);
    CHECK(systemd.drain().empty());
    CHECK(notifier.next_due() == Approx(131));
    sources[1].liveness.alive_mono = 130.5;
    notifier.update(status, sources, 131);
    CHECK(systemd.drain() == "WATCHDOG=1");

    notifier.stopping();
    CHECK(systemd.drain() == "STOPPING=1\nSTATUS=stopping: finishing the files");
}

TEST_CASE("the service notifier without NOTIFY_SOCKET does nothing", "[recorder][systemd]") {
    ServiceNotifier notifier;
    CHECK_FALSE(notifier.active());
    CHECK(notifier.next_due() > 1e300);
    notifier.update(Status{}, {}, 0);
    notifier.stopping();
}
