#pragma once

#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/process.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace isr::test {

// A recordings folder with one file of every format isr records (made by ffmpeg), in the
// layouts users have, plus things that are not recordings.
struct TestArchive {
    struct File {
        std::string name; // relative
        double seconds;   // generated length
        int rate;
        int channels;
    };
    static const std::vector<File>& files();
    // Builds the archive in `dir` (ffmpeg). Throws on failure.
    static void build(const std::filesystem::path& dir);
};

// isr-web on a free port over a folder; stopped by PID.
class WebServer {
public:
    WebServer(const std::filesystem::path& recordings, std::vector<std::string> extra_args = {},
              const std::filesystem::path& log_dir = {},
              std::map<std::string, std::string> env = {});
    int port() const noexcept { return port_; }
    ChildProcess& process() { return *process_; }
    HttpResponse get(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
        return http_get(port_, target, headers);
    }

private:
    int port_;
    std::unique_ptr<ChildProcess> process_;
};

// A fresh status.json in `recordings` naming `active` as the files being recorded.
void mark_recording(const std::filesystem::path& recordings,
                    const std::vector<std::string>& active);

// `flac` (a whole FLAC file's bytes) with STREAMINFO's total sample count set to `samples`:
// 0 as after a crash, or a lie. Fails the test when it is no FLAC file.
std::string with_flac_total_samples(std::string flac, std::uint64_t samples);

// A JSON response body as a document; fails the test (showing the body) when it is not JSON.
rapidjson::Document parse_json(const std::string& text);

} // namespace isr::test
