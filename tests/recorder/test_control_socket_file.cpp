// The control socket's file: its mode, a stale one replaced, a live one or a non-socket refused,
// removed when the server ends (only while it is still ours).
#include "recorder/control/control_server.hpp"
#include "recorder/control/unix_address.hpp"
#include "tests/recorder/test_control_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace isr;
using namespace isr::rec;
using namespace isr::rec::test;
namespace fs = std::filesystem;

namespace {

// A socket file nobody listens on, as a crashed isrd leaves it.
void make_stale_socket(const fs::path& path) {
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    const auto address = unix_address(path);
    REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
}

std::string refusal(const fs::path& path, ControlHandler& handler) {
    try {
        ControlServer server(path, handler);
        return "accepted";
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

struct Umask {
    explicit Umask(mode_t mask) : old(::umask(mask)) {}
    ~Umask() { ::umask(old); }
    mode_t old;
};

} // namespace

TEST_CASE("control socket file: mode 0660 whatever the umask", "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    for (const mode_t mask : {mode_t{022}, mode_t{077}, mode_t{0}}) {
        INFO("umask " << mask);
        const Umask umask(mask);
        ControlServer server(dir / "isrd.sock", handler);
        struct stat st {};
        REQUIRE(::lstat(server.path().c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 07777) == 0660);
        CHECK(st.st_uid == ::getuid());
    }
}

TEST_CASE("control socket file: a stale socket is replaced", "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    const auto path = dir / "isrd.sock";
    make_stale_socket(path);
    ControlServer server(path, handler);
    server.start();
    CHECK(ask(path, R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})");
}

TEST_CASE("control socket file: a live socket is refused and left alone", "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    const auto path = dir / "isrd.sock";
    ControlServer first(path, handler);
    first.start();
    CHECK(refusal(path, handler) ==
          "another isrd is listening on " + path.string() + "; stop it or set control_socket");
    // The refused second server removed nothing: the first still answers.
    CHECK(ask(path, R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})");
}

TEST_CASE("control socket file: what is not a socket is refused and never removed",
          "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    const auto file = dir / "isrd.sock";
    { std::ofstream(file) << "my notes\n"; }
    CHECK(refusal(file, handler) == "the control socket path " + file.string() +
                                        " exists and is not a socket; isrd does not replace it: "
                                        "move it away or set control_socket to another path");
    CHECK(read_text(file) == "my notes\n");

    const auto folder = dir / "folder";
    fs::create_directory(folder);
    CHECK_THAT(refusal(folder, handler), Catch::Contains("exists and is not a socket"));
    CHECK(fs::is_directory(folder));

    // A symbolic link, even to a stale socket, is not followed.
    const auto stale = dir / "stale.sock";
    make_stale_socket(stale);
    const auto link = dir / "link.sock";
    fs::create_symlink(stale, link);
    CHECK_THAT(refusal(link, handler), Catch::Contains("exists and is not a socket"));
    CHECK(fs::is_symlink(link));
}

TEST_CASE("control socket file: removed when the server ends, only if still ours",
          "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    const auto path = dir / "isrd.sock";
    {
        ControlServer server(path, handler);
        server.start();
        CHECK(fs::exists(fs::symlink_status(path)));
    }
    CHECK_FALSE(fs::exists(fs::symlink_status(path)));
    {
        ControlServer server(path, handler); // never started: removed all the same
    }
    CHECK_FALSE(fs::exists(fs::symlink_status(path)));
    {
        ControlServer server(path, handler);
        // Someone replaced the socket meanwhile (a second isrd after ours lost its file).
        fs::remove(path);
        make_stale_socket(path);
    }
    CHECK(fs::exists(fs::symlink_status(path)));
}

TEST_CASE("control socket file: a path too long for a Unix socket is refused",
          "[recorder][control]") {
    FakeHandler handler;
    const auto path = "/tmp/" + std::string(103, 'x'); // 108 bytes: one too many
    CHECK(refusal(path, handler) == "the control socket path " + path +
                                        " is 108 bytes long, but a Unix socket path has at most "
                                        "107; choose a shorter one (control_socket or --socket)");
    CHECK_FALSE(fs::exists(path));
    CHECK(refusal("", handler) == "the control socket path is empty");
}

TEST_CASE("control socket file: a missing folder is an error naming the path",
          "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    const auto path = dir / "missing" / "isrd.sock";
    CHECK(refusal(path, handler) ==
          "bind control socket " + path.string() + ": No such file or directory");
}
