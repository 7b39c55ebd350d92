// `isrd COMMAND` as a script runs it: the exit codes when no isrd listens and on usage errors,
// and the daemon's own flags beside the commands.
#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace isr::test;
namespace fs = std::filesystem;

namespace {

std::string isrd() {
    return isrd_path().string();
}

} // namespace

TEST_CASE("isrd COMMAND: 3 when no isrd answers, naming the socket it tried",
          "[integration][isrd][control]") {
    TempDir dir("isr-ctl");
    const auto socket = (dir / "isrd.sock").string();
    auto r = run_command(isrd() + " status --socket " + socket);
    CHECK(r.status == 3);
    CHECK_THAT(r.output, Catch::Contains("isrd status: no isrd answers at " + socket +
                                         " (from --socket): No such file or directory"));
    CHECK_THAT(r.output, Catch::Contains("Start it with `isrd CONFIG`"));

    // The default path, from the environment: a stale socket (a crashed isrd) is no isrd either.
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        socket.copy(address.sun_path, sizeof(address.sun_path) - 1);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
        ::close(fd); // the file stays, and nothing listens on it
    }
    r = run_command("XDG_RUNTIME_DIR=" + dir.path().string() + " " + isrd() + " save --seconds 5");
    CHECK(r.status == 3);
    CHECK_THAT(r.output, Catch::Contains("no isrd answers at " + socket +
                                         " (from $XDG_RUNTIME_DIR): Connection refused"));
}

TEST_CASE("isrd COMMAND: 2 on a usage error, the daemon's flags still work",
          "[integration][isrd][control]") {
    for (const auto* args : {"save --seconds -1", "save --seconds many", "save --bogus",
                             "pause a b", "status --label x", "save --post 1000"}) {
        INFO(args);
        const auto r = run_command(isrd() + " " + args + " --socket /nonexistent/isrd.sock");
        CHECK(r.status == 2);
        CHECK_THAT(r.output, Catch::Contains("Try 'isrd "));
    }
    auto r = run_command(isrd() + " save --help");
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("isrd pause [S]"));
    r = run_command(isrd() + " --help");
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("--check-config"));
    CHECK_THAT(r.output, Catch::Contains("isrd save [--source S]"));
    r = run_command(isrd() + " --version");
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::StartsWith("isrd "));
    r = run_command(isrd() + " --no-such-flag");
    CHECK(r.status == 2);
}
