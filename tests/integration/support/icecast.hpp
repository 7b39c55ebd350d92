#pragma once

#include "tests/integration/support/process.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace isr::test {

// Debian's icecast2 on 127.0.0.1 at a free port, configured by the test. As root it drops to
// the icecast2 user (<changeowner>), which it insists on.
class IcecastServer {
public:
    struct Options {
        std::string auth_mount; // a mount that needs listener Basic auth ("" for none)
        std::string auth_user = "listener";
        std::string auth_password = "s3cret";
        int burst_bytes = 65536; // Icecast's default burst on connect
    };
    explicit IcecastServer(const std::filesystem::path& dir, Options options);
    IcecastServer(const std::filesystem::path& dir) : IcecastServer(dir, Options{}) {}
    ~IcecastServer();

    int port() const noexcept { return port_; }
    std::string url(const std::string& mount) const;
    std::string source_password() const { return "hackme-source"; }
    void start();
    void stop();

private:
    void write_config();
    bool launch();

    std::filesystem::path dir_;
    Options options_;
    int port_;
    std::unique_ptr<ChildProcess> process_;
};

// ffmpeg feeding a mount with a generated signal in real time (-re), as a source client.
class FfmpegSource {
public:
    // `format`: mp3, aac, vorbis, opus, flac (Ogg FLAC). `signal`: an ffmpeg audio expression
    // of t (aevalsrc) instead of the 440 Hz sine.
    FfmpegSource(const IcecastServer& icecast, const std::string& mount, const std::string& format,
                 const std::filesystem::path& log, const std::string& signal = "");
    ~FfmpegSource();
    bool running() { return process_->running(); }

    static std::string content_type(const std::string& format);

private:
    std::unique_ptr<ChildProcess> process_;
};

} // namespace isr::test
