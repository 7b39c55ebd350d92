// isr-web in this process, under concurrent clients that read, abandon and abuse responses,
// then shut down: the threaded parts (sessions on strands, work and media pools, producers,
// analyses) for ThreadSanitizer to watch, in the unit suite it runs.
#include "common/log.hpp"
#include "tests/integration/support/http_client.hpp"
#include "webserver/app.hpp"
#include "webserver/routes.hpp"
#include "webserver/server.hpp"

#include <sndfile.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace isr;
using namespace isr::web;
namespace fs = std::filesystem;

namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// Sends `request` and reads up to `limit` bytes of the answer (all of it when 0), then closes.
std::string round_trip(int port, const std::string& request, std::size_t limit = 0) {
    try {
        isr::test::RawConnection c(port);
        c.send(request);
        std::string got;
        while (auto chunk = c.receive(20000)) {
            if (chunk->empty())
                break;
            got += *chunk;
            if (limit && got.size() >= limit)
                break;
        }
        return got;
    } catch (const std::exception&) {
        return {};
    }
}

std::string get(const std::string& target, const std::string& method = "GET") {
    return method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

void write_tone(const fs::path& path, int format, int seconds) {
    SF_INFO info{};
    info.samplerate = 22050;
    info.channels = 2;
    info.format = format;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE(f);
    std::vector<short> samples(static_cast<std::size_t>(info.samplerate * info.channels));
    for (int s = 0; s < seconds; ++s) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            samples[i] = static_cast<short>(3000 * std::sin(static_cast<double>(i) * 0.05) *
                                            (s % 7 == 3 ? 8 : 1));
        }
        sf_writef_short(f, samples.data(), info.samplerate);
    }
    sf_close(f);
}

} // namespace

TEST_CASE("concurrent clients, abandoned clips and shutdown", "[web][threads]") {
    const auto dir = fs::temp_directory_path() / ("isr-threads-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "day");
    write_tone(dir / "day" / "a_20261121_080000.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 60);
    write_tone(dir / "day" / "b_20261121_090000.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 60);
    log::set_level(log::Level::warning);
    ServerOptions options;
    options.dir = dir;
    options.analyses_dir = dir / "analyses";
    options.status_file = dir / "status.json";
    options.bind = "127.0.0.1";
    options.port = static_cast<std::uint16_t>(free_port());
    options.timezone = "UTC";
    int exit_code = -1;
    {
        App app(options);
        const auto router = make_router(app);
        Server server(app, router);
        std::thread serving([&] { exit_code = server.run(); });
        const int port = options.port;
        REQUIRE(isr::test::wait_for_port(port, 10000));
        const std::string flac = "day/b_20261121_090000.flac";
        const std::string wav = "day/a_20261121_080000.wav";
        std::atomic<int> answered{0};
        std::vector<std::thread> clients;
        for (int c = 0; c < 6; ++c) {
            clients.emplace_back([&, c] {
                for (int round = 0; round < 3; ++round) {
                    const auto check = [&](const std::string& reply, const char* status) {
                        if (reply.rfind(status, 0) == 0)
                            ++answered;
                    };
                    check(round_trip(port, get("/api/files")), "HTTP/1.1 200");
                    check(round_trip(port, get("/stream/" + wav + "?r=" + std::to_string(c))),
                          "HTTP/1.1 200");
                    check(
                        round_trip(port, get("/api/clip?file=" + flac + "&start=1&end=50", "HEAD")),
                        "HTTP/1.1 200");
                    check(round_trip(port, get("/api/clip?file=" + flac + "&start=1&end=50"), 4096),
                          "HTTP/1.1 200");
                    check(round_trip(port, get("/api/cut?file=" + flac + "&start=1&end=50"), 4096),
                          "HTTP/1.1 200");
                    check(round_trip(port, get("/api/analyze?wait=0&file=" + (c % 2 ? flac : wav))),
                          "HTTP/1.1 20");
                    check(round_trip(port, get("/api/highlights?date=2026-11-21")), "HTTP/1.1 200");
                    check(round_trip(port, "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                                           "chunked\r\n\r\n0\r\n" +
                                               std::string(70000, 'T') + ": v\r\n\r\n"),
                          "HTTP/1.1 431");
                }
            });
        }
        for (auto& t : clients)
            t.join();
        CHECK(answered == 6 * 3 * 8);
        // A client in the middle of a clip when the server is told to stop.
        isr::test::RawConnection held(port);
        held.send(get("/api/clip?file=" + wav + "&start=0&end=59"));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        ::kill(::getpid(), SIGTERM);
        serving.join();
    }
    CHECK(exit_code == 0);
    fs::remove_all(dir);
}
