#include "common/control_socket_path.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

using namespace isr;

TEST_CASE("the control socket: configured, else $XDG_RUNTIME_DIR, else the recordings folder",
          "[common][replay]") {
    GeneralConfig g;
    CHECK(control_socket_path(g, "/run/user/1000") == "/run/user/1000/isrd.sock");
    CHECK(control_socket_path(g, "/run/user/1000/") == "/run/user/1000/isrd.sock");
    CHECK(control_socket_path(g, "") == "recordings/.isrd.sock");
    // The XDG spec says a relative value is to be ignored.
    CHECK(control_socket_path(g, "run/user/1000") == "recordings/.isrd.sock");
    g.output_directory = "/srv/rec";
    CHECK(control_socket_path(g, "") == "/srv/rec/.isrd.sock");
    g.control_socket = "/run/isrd/control.sock";
    CHECK(control_socket_path(g, "/run/user/1000") == "/run/isrd/control.sock");
    CHECK(control_socket_path(g, "") == "/run/isrd/control.sock");
}

TEST_CASE("the control socket follows this process's XDG_RUNTIME_DIR", "[common][replay]") {
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    GeneralConfig g;
    ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    CHECK(control_socket_path(g) == "/run/user/4242/isrd.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    CHECK(control_socket_path(g) == "recordings/.isrd.sock");
    if (saved)
        ::setenv("XDG_RUNTIME_DIR", saved->c_str(), 1);
}

TEST_CASE("a socket path must fit sun_path and name a file", "[common][replay]") {
    CHECK_FALSE(socket_path_problem("/run/isrd.sock"));
    CHECK_FALSE(socket_path_problem("relative.sock"));
    const std::string longest = "/" + std::string(kMaxSocketPathBytes - 1, 'a');
    CHECK_FALSE(socket_path_problem(longest));
    const auto too_long = socket_path_problem(longest + "a");
    REQUIRE(too_long);
    CHECK(*too_long == "is 108 bytes long; a Unix socket path holds at most 107 bytes "
                       "(sun_path), so isrd could not listen on it; choose a shorter path");
    CHECK(socket_path_problem("/run/isrd/") ==
          std::optional<std::string>("must name the socket file, not a folder (it ends with '/')"));
    CHECK(socket_path_problem("") == std::optional<std::string>("is empty"));
}
