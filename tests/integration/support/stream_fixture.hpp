#pragma once

#include <filesystem>
#include <string>

namespace isr::test {

// A stream made by ffmpeg (a 330 Hz sine, stereo), and the rate to send it at so it plays in
// real time.
struct Stream {
    std::string bytes;
    double seconds = 0;
    double rate() const { return static_cast<double>(bytes.size()) / seconds; }
};

// `options` are ffmpeg's output options ("-c:a libmp3lame -b:a 128k -f mp3"); the file name
// decides the sample rate (48 kHz for names with "opus" in them, 44.1 kHz otherwise).
Stream make_stream(const std::filesystem::path& dir, const std::string& name,
                   const std::string& options, double seconds);

// "HTTP/1.0 200 OK" with a Content-Type (none when empty) and `extra` header lines.
std::string ok_head(const std::string& content_type,
                    const std::string& status_line = "HTTP/1.0 200 OK",
                    const std::string& extra = "");

// A config.ini section for a stream source.
std::string stream_source(const std::string& name, const std::string& url,
                          const std::string& extra = "");

} // namespace isr::test
