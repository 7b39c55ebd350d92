#include "tests/integration/support/stream_fixture.hpp"

#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

namespace isr::test {

Stream make_stream(const std::filesystem::path& dir, const std::string& name,
                   const std::string& options, double seconds) {
    const auto path = dir / name;
    const auto r = run_command(
        "ffmpeg -nostdin -v error -y -f lavfi -i 'sine=frequency=330:sample_rate=" +
        std::string(name.find("opus") != std::string::npos ? "48000" : "44100") +
        ":duration=" + std::to_string(seconds) + "' -ac 2 " + options + " '" + path.string() + "'");
    REQUIRE(r.status == 0);
    return {read_file(path), seconds};
}

std::string ok_head(const std::string& content_type, const std::string& status_line,
                    const std::string& extra) {
    std::string head = status_line + "\r\n";
    if (!content_type.empty())
        head += "Content-Type: " + content_type + "\r\n";
    return head + extra + "\r\n";
}

std::string stream_source(const std::string& name, const std::string& url,
                          const std::string& extra) {
    return "[" + name + "]\ntype = stream\nurl = " + url + "\n" + extra + "\n";
}

} // namespace isr::test
