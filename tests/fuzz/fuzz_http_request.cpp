// The HTTP request path of isr-web from raw bytes to a response: the parser (request line,
// fields, chunked bodies and trailers, limits), target decoding (percent escapes, queries), the
// route table and the handlers themselves (Range, conditional fields, parameters, name
// resolution against a real recordings folder, analyses, clip and cut planning). Read-only, so
// a fuzzed DELETE cannot remove what the next input needs.
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/request_parser.hpp"
#include "webserver/routes.hpp"

#include <boost/beast/http/error.hpp>

#include <sndfile.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

using namespace isr;
using namespace isr::web;
namespace fs = std::filesystem;

namespace {

void write_tone(const fs::path& path, int format) {
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = 1;
    info.format = format;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f)
        std::abort();
    std::vector<short> samples(8000);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<short>(8000 * std::sin(static_cast<double>(i) * 0.3) *
                                        (i > 4000 && i < 5000 ? 3 : 0.1));
    }
    sf_write_short(f, samples.data(), static_cast<sf_count_t>(samples.size()));
    sf_close(f);
}

struct Server {
    std::unique_ptr<App> app;
    std::unique_ptr<Router> router;

    Server() {
        const auto dir = fs::temp_directory_path() / cat("isr-fuzz-http-", ::getpid());
        fs::create_directories(dir / "day");
        write_tone(dir / "day" / "a_20261121_080000.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16);
        write_tone(dir / "day" / "b_20261121_090000.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
        fs::create_symlink("a_20261121_080000.wav", dir / "day" / "alias.wav");
        ServerOptions options;
        options.dir = dir;
        options.analyses_dir = dir / "analyses";
        options.status_file = dir / "status.json";
        options.read_only = true;
        options.timezone = "UTC";
        log::set_level(log::Level::critical);
        app = std::make_unique<App>(options);
        router = std::make_unique<Router>(make_router(*app));
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Server server;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::size_t used = 0;
    // Pipelined requests, one after the other, as a connection reads them.
    for (int i = 0; i < 4 && used < bytes.size(); ++i) {
        RequestParser parser;
        boost::beast::error_code ec;
        const auto n = feed(parser, bytes.substr(used), ec);
        if (ec) {
            static_cast<void>(parser.error_status(ec));
            static_cast<void>(parser.error_message(ec));
            break;
        }
        used += n;
        auto& request = parser.request();
        if (!parse_target(request.target, request.path, request.query))
            break;
        const auto match = server.router->match(request.method, request.path);
        const auto response = server.router->handle(request, match);
        if (response.status < 100 || response.status > 599)
            std::abort();
        static_cast<void>(response.content_length());
        if (n == 0)
            break;
    }
    return 0;
}
