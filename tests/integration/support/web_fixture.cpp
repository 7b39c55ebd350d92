#include "tests/integration/support/web_fixture.hpp"

#include "common/flac_header.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

namespace isr::test {

namespace fs = std::filesystem;

const std::vector<TestArchive::File>& TestArchive::files() {
    static const std::vector<File> kFiles = {
        {"2026/11/21/rec_140000.wav", 3.0, 44100, 2},
        {"2026/11/21/rec_150000.flac", 4.0, 48000, 1},
        {"radio/radio_20261121_160000.mp3", 5.0, 44100, 2},
        {"radio/radio_20261121_170000.ogg", 4.0, 44100, 2},
        {"radio/radio_20261121_180000.opus", 4.0, 48000, 2},
        {"radio/radio_20261121_190000.aac", 5.0, 44100, 2},
        {"garden/garden_2026-11-20_2330.wav", 2.0, 16000, 1},
    };
    return kFiles;
}

void TestArchive::build(const fs::path& dir) {
    for (const auto& f : files()) {
        const auto path = dir / f.name;
        fs::create_directories(path.parent_path());
        const auto ext = path.extension().string();
        std::string codec = ext == ".wav"    ? "-c:a pcm_s16le"
                            : ext == ".flac" ? "-c:a flac"
                            : ext == ".mp3"  ? "-c:a libmp3lame -b:a 128k"
                            : ext == ".ogg"  ? "-c:a libvorbis -q:a 3"
                            : ext == ".opus" ? "-c:a libopus -b:a 64k"
                                             : "-c:a aac -b:a 96k -f adts";
        const auto cmd = "ffmpeg -v error -y -f lavfi -i 'sine=frequency=440:sample_rate=" +
                         std::to_string(f.rate) + ":duration=" + std::to_string(f.seconds) +
                         "' -ac " + std::to_string(f.channels) + " " + codec + " '" +
                         path.string() + "'";
        const auto r = run_command(cmd);
        if (r.status != 0)
            throw std::runtime_error("ffmpeg failed: " + r.output);
    }
    // Things that are not recordings must never be listed or served.
    write_file(dir / "notes.txt", "not audio");
    write_file(dir / ".hidden.wav", "RIFF....");
    fs::create_directories(dir / "analyses" / "radio");
    write_file(dir / "analyses" / "radio" / "cached.wav", "cache, not a recording");
}

WebServer::WebServer(const fs::path& recordings, std::vector<std::string> extra,
                     const fs::path& log_dir, std::map<std::string, std::string> env)
    : port_(free_port()) {
    std::vector<std::string> args{
        isr_web_path().string(), "--dir", recordings.string(), "--bind", "127.0.0.1", "--port",
        std::to_string(port_)};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto log = (log_dir.empty() ? recordings.parent_path() : log_dir) /
                     ("isr-web-" + std::to_string(port_) + ".log");
    process_ = std::make_unique<ChildProcess>(args, log, std::move(env));
    if (!wait_for_port(port_, 10000))
        throw std::runtime_error("isr-web did not start: " + process_->log());
}

void mark_recording(const fs::path& recordings, const std::vector<std::string>& active) {
    Status s;
    s.updated = iso8601_now();
    s.active = active;
    write_status_file(recordings / "status.json", s);
}

std::string with_flac_total_samples(std::string flac, std::uint64_t samples) {
    const std::span<const std::uint8_t> view(reinterpret_cast<const std::uint8_t*>(flac.data()),
                                             flac.size());
    const auto meta = scan_flac_metadata(view, flac.size());
    REQUIRE(meta.status == FlacParse::ok);
    const auto header = patch_flac_total_samples(view, meta.size, samples);
    flac.replace(0, header.size(), header);
    return flac;
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    INFO(text.substr(0, 300));
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

} // namespace isr::test
