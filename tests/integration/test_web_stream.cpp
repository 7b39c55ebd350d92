// /stream and /download: ranges, validators, downloads, and files still being recorded.
#include "common/flac_header.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "common/wav_header.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

TEST_CASE("Range requests: first byte, last byte, suffix, open-ended, past the end, malformed",
          "[integration][web]") {
    TempDir dir("isr-web-range");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec);
    const std::string name = "radio/radio_20261121_160000.mp3";
    const auto file = read_file(rec / name);
    const auto size = file.size();
    const auto url = "/stream/" + name;

    struct Row {
        std::string range;
        int status;
        std::uint64_t first;
        std::uint64_t last;
    };
    const Row rows[] = {
        {"bytes=0-1", 206, 0, 1}, // what Safari sends first
        {"bytes=0-0", 206, 0, 0},
        {"bytes=" + std::to_string(size - 1) + "-", 206, size - 1, size - 1},
        {"bytes=-500", 206, size - 500, size - 1},
        {"bytes=1000-", 206, 1000, size - 1},
        {"bytes=100-" + std::to_string(size + 5000), 206, 100, size - 1}, // clamped
        {"bytes=-" + std::to_string(size + 10), 206, 0, size - 1},
    };
    for (const auto& row : rows) {
        INFO(row.range);
        const auto r = web.get(url, {{"Range", row.range}});
        CHECK(r.status == row.status);
        CHECK(r.header("content-range") == "bytes " + std::to_string(row.first) + "-" +
                                               std::to_string(row.last) + "/" +
                                               std::to_string(size));
        CHECK(r.body == file.substr(row.first, row.last - row.first + 1));
        CHECK(r.header("accept-ranges") == "bytes");
        CHECK(r.header("content-type") == "audio/mpeg");
    }
    for (const std::string& bad : std::vector<std::string>{"bytes=" + std::to_string(size) + "-",
                                                           "bytes=5-2", "bytes=abc", "bytes=-0"}) {
        INFO(bad);
        const auto r = web.get(url, {{"Range", bad}});
        CHECK(r.status == 416);
        CHECK(r.header("content-range") == "bytes */" + std::to_string(size));
        CHECK_THAT(r.body, Catch::StartsWith("{\"error\""));
    }
    // A unit other than bytes is ignored (RFC 9110 14.2): the whole file.
    for (const std::string unit : {"pages=0-1", "items=5-"}) {
        INFO(unit);
        const auto r = web.get(url, {{"Range", unit}});
        CHECK(r.status == 200);
        CHECK(r.body == file);
    }
    // Several ranges: the whole file (allowed by RFC 9110).
    const auto multi = web.get(url, {{"Range", "bytes=0-1,5-9"}});
    CHECK(multi.status == 200);
    CHECK(multi.body == file);
    const auto whole = web.get(url);
    CHECK(whole.status == 200);
    CHECK(whole.body == file);
    CHECK(whole.header("content-length") == std::to_string(size));
}

TEST_CASE("ETag, Last-Modified, If-None-Match and If-Range", "[integration][web]") {
    TempDir dir("isr-web-etag");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec);
    const auto url = std::string("/stream/2026/11/21/rec_140000.wav");
    const auto first = web.get(url);
    const auto etag = first.header("etag");
    REQUIRE_FALSE(etag.empty());
    REQUIRE_FALSE(first.header("last-modified").empty());
    CHECK(web.get(url, {{"If-None-Match", etag}}).status == 304);
    CHECK(web.get(url, {{"If-Modified-Since", first.header("last-modified")}}).status == 304);
    // If-Range: a matching validator keeps the range, a stale one gets the whole file.
    CHECK(web.get(url, {{"Range", "bytes=0-9"}, {"If-Range", etag}}).status == 206);
    CHECK(web.get(url, {{"Range", "bytes=0-9"}, {"If-Range", first.header("last-modified")}})
              .status == 206);
    const auto stale = web.get(url, {{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}});
    CHECK(stale.status == 200);
    CHECK(stale.body.size() == first.body.size());
}

TEST_CASE("/download names the file so curl -OJ saves it right", "[integration][web]") {
    TempDir dir("isr-web-download");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec);
    const auto r = web.get("/download/radio/radio_20261121_170000.ogg");
    CHECK(r.status == 200);
    CHECK(r.header("content-disposition") == "attachment; filename=\"radio_20261121_170000.ogg\"; "
                                             "filename*=UTF-8''radio_20261121_170000.ogg");
    fs::create_directories(dir / "dl");
    const auto curl =
        run_command("cd '" + (dir / "dl").string() + "' && curl -sS -OJ http://127.0.0.1:" +
                    std::to_string(web.port()) + "/download/radio/radio_20261121_170000.ogg");
    CHECK(curl.status == 0);
    CHECK(read_file(dir / "dl" / "radio_20261121_170000.ogg") ==
          read_file(rec / "radio/radio_20261121_170000.ogg"));
    CHECK_THAT(web.get("/stream/radio/radio_20261121_170000.ogg").header("content-disposition"),
               Catch::StartsWith("inline"));
}

TEST_CASE("a WAV being recorded is served with its sizes patched to the frames present",
          "[integration][web]") {
    TempDir dir("isr-web-live-wav");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    // What isrd leaves between header updates: a header that claims less than is there, and a
    // frame cut in half at the end.
    const auto src = read_file(rec / "2026/11/21/rec_140000.wav");
    const auto info = parse_wav_header(bytes_of(src));
    REQUIRE(info);
    std::string live = src.substr(0, src.size() - 1001); // 44100*2*2*3 bytes minus a partial frame
    auto stale = live;
    stale[static_cast<std::size_t>(info->data_offset - 4)] = 0; // data size: a small, wrong value
    stale[static_cast<std::size_t>(info->data_offset - 3)] = 0x10;
    stale[static_cast<std::size_t>(info->data_offset - 2)] = 0;
    stale[static_cast<std::size_t>(info->data_offset - 1)] = 0;
    write_file(rec / "live.wav", stale);
    mark_recording(rec, {"live.wav"});
    WebServer web(rec);
    std::this_thread::sleep_for(100ms);

    const auto r = web.get("/stream/live.wav");
    REQUIRE(r.status == 200);
    CHECK(r.header("cache-control") == "no-store");
    CHECK(r.header("etag").empty());
    const auto frames_present = (live.size() - info->data_offset) / 4;
    CHECK(r.body.size() == info->data_offset + frames_present * 4);
    const auto served = parse_wav_header(bytes_of(r.body));
    REQUIRE(served);
    CHECK(served->declared_data == frames_present * 4);
    write_file(dir / "served.wav", r.body);
    const auto pcm = read_pcm_file(dir / "served.wav");
    REQUIRE(pcm);
    CHECK(static_cast<std::uint64_t>(pcm->frames) == frames_present);
    CHECK(ffprobe_duration(dir / "served.wav") ==
          Approx(static_cast<double>(frames_present) / 44100).margin(0.001));
    // Ranges work on the patched view too (the first bytes come from the patch).
    const auto head = web.get("/stream/live.wav", {{"Range", "bytes=0-99"}});
    CHECK(head.status == 206);
    CHECK(head.body == r.body.substr(0, 100));
    CHECK(head.header("content-range") == "bytes 0-99/" + std::to_string(r.body.size()));
}

TEST_CASE("a FLAC being recorded is served with STREAMINFO's sample count from its last frame",
          "[integration][web]") {
    TempDir dir("isr-web-live-flac");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    const auto src = read_file(rec / "2026/11/21/rec_150000.flac");
    // A FLAC file mid-recording: total samples unknown (0), the last frame half written.
    const auto live = with_flac_total_samples(src.substr(0, src.size() * 2 / 3), 0);
    write_file(rec / "live.flac", live);
    mark_recording(rec, {"live.flac"});
    WebServer web(rec);
    std::this_thread::sleep_for(100ms);

    const auto r = web.get("/stream/live.flac");
    REQUIRE(r.status == 200);
    CHECK(r.header("cache-control") == "no-store");
    CHECK(r.body.size() < live.size()); // ends before the incomplete frame
    const auto served = scan_flac_metadata(bytes_of(r.body), r.body.size());
    REQUIRE(served.status == FlacParse::ok);
    CHECK(served.info.total_samples > 0);
    write_file(dir / "served.flac", r.body);
    const auto decode =
        run_command("ffmpeg -v error -i '" + (dir / "served.flac").string() + "' -f null -");
    CHECK(decode.status == 0);
    CHECK(decode.output.empty());
    const auto pcm = read_pcm_file(dir / "served.flac");
    REQUIRE(pcm);
    CHECK(static_cast<std::uint64_t>(pcm->frames) == served.info.total_samples);
    // The listing shows the duration so far and the recording flag.
    const auto list = web.get("/api/files?q=live.flac").body;
    CHECK_THAT(list, Catch::Contains("\"recording\":true"));
}

TEST_CASE("listening to files while isrd records them", "[integration][web][isrd]") {
    TempDir dir("isr-web-isrd");
    const auto rec = dir / "rec";
    write_file(dir / "config.ini",
               "[general]\noutput_directory = " + rec.string() +
                   "\nlog_file =\nsplit_interval = 1h\n[w]\ntype = generator\nformat = wav\n"
                   "channels = 1\nsample_rate = 16000\n[f]\ntype = generator\nformat = flac\n"
                   "channels = 2\nsample_rate = 44100\nfilename_pattern = {source}_%H%M%S\n");
    ChildProcess isrd({isrd_path().string(), (dir / "config.ini").string()}, dir / "isrd.log");
    REQUIRE(wait_until(
        [&] {
            const auto r = read_status_file(rec / "status.json");
            return r.status && r.status->active.size() == 2;
        },
        10s));
    WebServer web(rec, {}, dir.path());
    std::this_thread::sleep_for(3s);
    const auto status = read_status_file(rec / "status.json");
    REQUIRE(status.status);
    for (const auto& active : status.status->active) {
        INFO(active);
        const auto r = web.get("/stream/" + active);
        REQUIRE(r.status == 200);
        CHECK(r.header("cache-control") == "no-store");
        const auto out = dir / ("served_" + fs::path(active).filename().string());
        write_file(out, r.body);
        const auto pcm = read_pcm_file(out);
        REQUIRE(pcm);
        const double seconds = static_cast<double>(pcm->frames) / pcm->rate;
        CHECK(seconds > 2.0);
        CHECK(seconds < 6.0);
        CHECK(ffprobe_duration(out) == Approx(seconds).margin(0.01));
        CHECK(http_request(web.port(), "DELETE", "/api/files/" + active).status == 409);
    }
    CHECK(isrd.stop() == 0);
}
