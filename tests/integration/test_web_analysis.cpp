// Loud-event analysis, its cache, clips, cuts and day highlights, over real HTTP.
#include "common/flac_header.hpp"
#include "common/json.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "common/wav_header.hpp"
#include "tests/integration/support/test_media.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Found {
    double start;
    double end;
    double score;
};

std::vector<Found> sections_of(const rapidjson::Document& doc) {
    std::vector<Found> out;
    for (const auto& s : doc["sections"].GetArray())
        out.push_back({s["start"].GetDouble(), s["end"].GetDouble(), s["score"].GetDouble()});
    return out;
}

// A recordings folder with the ground-truth signal in the given formats, named for 2026-11-21.
fs::path archive_with(const TempDir& dir, const std::vector<std::string>& extensions) {
    const auto rec = dir / "rec";
    fs::create_directories(rec / "day");
    int hour = 8;
    for (const auto& ext : extensions) {
        fs::copy_file(ground_truth(ext), rec / "day" /
                                             ("gt_20261121_" + std::string(hour < 10 ? "0" : "") +
                                              std::to_string(hour) + "0000" + ext));
        ++hour;
    }
    return rec;
}

std::string name_for(const fs::path& rec, const std::string& ext) {
    for (const auto& e : fs::directory_iterator(rec / "day")) {
        if (e.path().extension() == ext)
            return "day/" + e.path().filename().string();
    }
    FAIL("no file with " << ext);
    return {};
}

} // namespace

TEST_CASE("the detected sections match the known events in WAV, FLAC, MP3, Ogg and AAC",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis");
    const std::vector<std::string> formats = {".wav", ".flac", ".mp3", ".ogg", ".aac"};
    const auto rec = archive_with(dir, formats);
    WebServer web(rec);
    for (const auto& ext : formats) {
        INFO("format " << ext);
        const auto r = web.get("/api/analyze?file=" + name_for(rec, ext));
        REQUIRE(r.status == 200);
        const auto doc = parse_json(r.body);
        CHECK(doc["duration"].GetDouble() == Approx(180).margin(0.2));
        CHECK(doc["rms_display"].Size() >= 600);
        CHECK(doc["rms_display"].Size() == doc["floor_display"].Size());
        CHECK(doc["params"]["margin"].GetDouble() == 12);
        const auto found = sections_of(doc);
        // Every event, within 0.2 s; nothing from the 20 dB drift; no clicks at min_duration 0.5.
        REQUIRE(found.size() == ground_truth_events().size());
        for (std::size_t i = 0; i < found.size(); ++i) {
            INFO("event " << i);
            CHECK(found[i].start == Approx(ground_truth_events()[i].start).margin(0.2));
            CHECK(found[i].end == Approx(ground_truth_events()[i].end).margin(0.2));
            CHECK(found[i].score > 20);
            CHECK(found[i].score < 32);
        }
        // The floor follows the drift between the first and the last 30 s block centres (15 s
        // and 165 s): 20 dB × 150/180.
        const auto& floor = doc["floor_display"];
        CHECK(floor[floor.Size() - 1].GetDouble() - floor[0].GetDouble() ==
              Approx(20.0 * 150 / 180).margin(3)); // lossy codecs thin out the quietest noise
    }
}

TEST_CASE("clicks vanish at min_duration 0.5 and come back at 0, min_gap merges",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-params");
    const auto rec = archive_with(dir, {".flac"});
    WebServer web(rec);
    const auto name = name_for(rec, ".flac");
    auto found =
        sections_of(parse_json(web.get("/api/analyze?file=" + name + "&min_duration=0").body));
    REQUIRE(found.size() == ground_truth_events().size() + ground_truth_clicks().size());
    std::size_t clicks = 0;
    for (const auto& f : found) {
        for (const double c : ground_truth_clicks()) {
            if (std::abs(f.start - c) < 0.15) {
                ++clicks;
                CHECK(f.end - f.start < 0.25);
            }
        }
    }
    CHECK(clicks == ground_truth_clicks().size());
    // A grace period shorter than the 1 s between the close pair keeps them apart.
    found = sections_of(parse_json(web.get("/api/analyze?file=" + name + "&min_gap=0.5").body));
    REQUIRE(found.size() == ground_truth_events().size() + 1);
    CHECK(found[3].start == Approx(ground_truth_close_pair()[0].start).margin(0.2));
    CHECK(found[3].end == Approx(ground_truth_close_pair()[0].end).margin(0.2));
    CHECK(found[4].start == Approx(ground_truth_close_pair()[1].start).margin(0.2));
    // A high margin keeps only what stands out most.
    CHECK(
        sections_of(parse_json(web.get("/api/analyze?file=" + name + "&margin=40").body)).empty());
}

TEST_CASE("a span of the levels at finer detail: from, to and points",
          "[integration][web][analysis][zoom]") {
    TempDir dir("isr-analysis-span");
    const auto rec = archive_with(dir, {".wav"});
    WebServer web(rec);
    const auto name = name_for(rec, ".wav");
    const auto whole = parse_json(web.get("/api/analyze?file=" + name).body);
    const double window = whole["window_seconds"].GetDouble();
    REQUIRE(window == Approx(0.1));
    CHECK(whole["display_from"].GetDouble() == 0);
    const std::vector<double> levels = [&] {
        // At 1800 windows and points=4000, one value per 100 ms window: the reference.
        const auto doc = parse_json(web.get("/api/analyze?file=" + name + "&points=4000").body);
        CHECK(doc["display_seconds"].GetDouble() == Approx(window));
        std::vector<double> out;
        for (const auto& v : doc["rms_display"].GetArray())
            out.push_back(v.GetDouble());
        return out;
    }();
    REQUIRE(levels.size() == 1800);

    // 3 s from 10 s: 30 windows of 100 ms, each the same level as in the whole file.
    auto doc = parse_json(web.get("/api/analyze?file=" + name + "&from=10&to=13&points=400").body);
    CHECK(doc["display_from"].GetDouble() == Approx(10));
    CHECK(doc["display_seconds"].GetDouble() == Approx(window));
    REQUIRE(doc["rms_display"].Size() == 30);
    CHECK(doc["floor_display"].Size() == 30);
    for (rapidjson::SizeType i = 0; i < 30; ++i)
        CHECK(doc["rms_display"][i].GetDouble() == levels[100 + i]);
    // Sections stay those of the whole file.
    CHECK(sections_of(doc).size() == sections_of(whole).size());

    // A start inside a window starts at that window; fewer points than windows: buckets of 3.
    doc = parse_json(web.get("/api/analyze?file=" + name + "&from=10.05&to=13&points=10").body);
    CHECK(doc["display_from"].GetDouble() == Approx(10));
    CHECK(doc["display_seconds"].GetDouble() == Approx(0.3));
    REQUIRE(doc["rms_display"].Size() == 10);
    CHECK(doc["rms_display"][0].GetDouble() ==
          *std::max_element(levels.begin() + 100, levels.begin() + 103));

    // `to` past the end is clamped to the duration.
    doc = parse_json(web.get("/api/analyze?file=" + name + "&from=170&to=9999").body);
    CHECK(doc["display_from"].GetDouble() == Approx(170));
    CHECK(doc["rms_display"].Size() == 100);
    CHECK(doc["duration"].GetDouble() == Approx(180).margin(0.2));

    struct Row {
        std::string query;
        std::string says;
    };
    const std::vector<Row> bad = {
        {"&from=20&to=10", "from must be before to"},
        {"&from=5&to=5", "from must be before to"},
        {"&from=-1&to=5", "from must be a number from 0"},
        {"&from=nan&to=5", "from must be a number from 0"},
        {"&from=0&to=inf", "to must be a number from 0"},
        {"&to=1e300", "to must be a number from 0"},
        {"&from=x", "from must be a number"},
        {"&points=0", "points must be a number from 1 to 4000"},
        {"&points=4001", "points must be a number from 1 to 4000"},
        {"&points=-5", "points must be a number from 1 to 4000"},
        {"&from=500&to=600", "beyond the end"},
    };
    for (const auto& row : bad) {
        INFO(row.query);
        const auto r = web.get("/api/analyze?file=" + name + row.query);
        CHECK(r.status == 400);
        const auto error = parse_json(r.body);
        REQUIRE(error.HasMember("error"));
        CHECK_THAT(std::string(error["error"].GetString()), Catch::Contains(row.says));
    }
}

TEST_CASE("bad parameters, missing files and files being recorded",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-errors");
    const auto rec = archive_with(dir, {".flac", ".wav"});
    WebServer web(rec);
    const auto name = name_for(rec, ".flac");
    struct Row {
        std::string target;
        int status;
        std::string says;
    };
    const std::vector<Row> rows = {
        {"/api/analyze?file=" + name + "&margin=99", 400, "margin must be a number from 0 to 60"},
        {"/api/analyze?file=" + name + "&min_gap=-1", 400,
         "min_gap must be a number from 0 to 600"},
        {"/api/analyze?file=" + name + "&min_duration=x", 400, "min_duration must be a number"},
        {"/api/analyze", 400, "missing parameter file"},
        {"/api/analyze?file=day/none.flac", 404, "no such recording"},
        {"/api/clip?file=" + name + "&start=10&end=700", 400, "a clip is at most 600 s"},
        {"/api/clip?file=" + name + "&start=20&end=10", 400, "must be after start"},
        {"/api/clip?file=" + name + "&start=1:99&end=2:00", 400,
         "start must be seconds, m:ss or h:mm:ss"},
        {"/api/clip?file=" + name + "&start=500&end=501", 400, "past the end"},
        {"/api/cut?file=" + name + "&start=0", 400, "missing parameter end"},
        {"/api/highlights?date=21.11.2026", 400, "date must be YYYY-MM-DD"},
        {"/api/highlights?date=-001-01-01", 400, "date must be YYYY-MM-DD"},
        {"/api/files?date=2026-02-30", 400, "date must be YYYY-MM-DD"},
        {"/api/files?date=2026-1-011", 400, "date must be YYYY-MM-DD"},
        // Huge times are refused, not overflowed into an empty 200.
        {"/api/clip?file=" + name + "&start=1e15&end=1e15+1", 400, "start must be seconds"},
        {"/api/clip?file=" + name + "&start=0&end=1e308:00:00", 400, "end must be seconds"},
        {"/api/cut?file=" + name + "&start=1e15&end=2e15", 400, "start must be seconds"},
        {"/api/cut?file=" + name + "&start=0&end=99999999:00:00", 400, "end must be seconds"},
        // A cut that starts past the end is a 400, not an empty file.
        {"/api/cut?file=" + name + "&start=500&end=501", 400, "past the end"},
        {"/api/cut?file=" + name_for(rec, ".wav") + "&start=500&end=501", 400, "past the end"},
        {"/api/highlights?date=2026-11-21&limit=-1", 400, "limit must be a number from 0"},
    };
    for (const auto& row : rows) {
        INFO(row.target);
        const auto r = web.get(row.target);
        CHECK(r.status == row.status);
        CHECK_THAT(r.body, Catch::Contains(row.says));
    }
    // A file being recorded cannot be cut yet (analyses and clips of it: see the live test).
    mark_recording(rec, {name});
    std::this_thread::sleep_for(600ms);
    const auto r = web.get("/api/cut?start=0&end=5&file=" + name);
    CHECK(r.status == 409);
    CHECK_THAT(r.body, Catch::Contains("still being recorded"));
}

TEST_CASE("a file being recorded: analysed as far as it goes, in highlights, clips of its past",
          "[integration][web][analysis][live]") {
    TempDir dir("isr-analysis-live");
    const auto rec = dir / "rec";
    fs::create_directories(rec / "day");
    const auto name = std::string("day/gt_20261121_080000.wav");
    const auto whole = read_file(ground_truth(".wav"));
    const auto info = parse_wav_header({reinterpret_cast<const std::uint8_t*>(whole.data()),
                                        std::min<std::size_t>(whole.size(), 65536)});
    REQUIRE(info);
    const auto bytes_at = [&](double seconds) {
        return static_cast<std::size_t>(info->data_offset) +
               static_cast<std::size_t>(seconds * info->sample_rate) *
                   static_cast<std::size_t>(info->block_align);
    };
    // The first minute, its header still claiming all 180 s (isrd's header lags, either way).
    write_file(rec / name, whole.substr(0, bytes_at(60)));
    mark_recording(rec, {name});
    WebServer web(rec);
    const auto events_before = [](double t) {
        return static_cast<std::size_t>(
            std::count_if(ground_truth_events().begin(), ground_truth_events().end(),
                          [t](const Event& e) { return e.end < t - 1; }));
    };
    auto doc = parse_json(web.get("/api/analyze?file=" + name).body);
    CHECK(doc["live"].GetBool());
    CHECK(doc["duration"].GetDouble() == Approx(60).margin(0.01));
    const auto found = sections_of(doc);
    REQUIRE(events_before(60) > 0);
    CHECK(found.size() >= events_before(60));
    for (std::size_t i = 0; i < events_before(60); ++i)
        CHECK(found[i].start == Approx(ground_truth_events()[i].start).margin(0.2));
    // It grows: the next answer reaches further.
    {
        std::ofstream out(rec / name, std::ios::binary | std::ios::app);
        out << whole.substr(bytes_at(60), bytes_at(120) - bytes_at(60));
    }
    doc = parse_json(web.get("/api/analyze?file=" + name).body);
    CHECK(doc["live"].GetBool());
    CHECK(doc["duration"].GetDouble() == Approx(120).margin(0.01));
    CHECK(sections_of(doc).size() >= events_before(120));
    CHECK(events_before(120) > events_before(60));
    // A span of it at full detail, its end clamped to what is written so far.
    doc = parse_json(web.get("/api/analyze?file=" + name + "&from=100&to=200&points=4000").body);
    CHECK(doc["live"].GetBool());
    CHECK(doc["display_from"].GetDouble() == Approx(100));
    CHECK(doc["display_seconds"].GetDouble() == Approx(0.1));
    CHECK(doc["rms_display"].Size() == 200);
    // The day's highlights include it, marked live.
    const auto day = parse_json(web.get("/api/highlights?date=2026-11-21&limit=0").body);
    REQUIRE(day["files"].Size() == 1);
    CHECK(day["files"][0]["live"].GetBool());
    CHECK(day["files"][0]["duration"].GetDouble() == Approx(120).margin(0.01));
    CHECK(day["sections"].Size() == sections_of(doc).size());
    // A clip of what is written plays; one past it does not; a cut waits for the file's end.
    auto r = web.get("/api/clip?file=" + name + "&start=10&end=15");
    CHECK(r.status == 200);
    CHECK(r.body.size() == 44 + 5 * static_cast<std::size_t>(info->sample_rate) * 2 * 2);
    CHECK(web.get("/api/clip?file=" + name + "&start=125&end=126").status == 400);
    r = web.get("/api/cut?file=" + name + "&start=10&end=15");
    CHECK(r.status == 409);
    CHECK_THAT(r.body, Catch::Contains("still being recorded"));
    // An AAC stream being saved (cut mid-frame): decoded whole, as far as it goes.
    const auto aac = read_file(ground_truth(".aac"));
    const auto aac_name = std::string("day/gt_20261121_090000.aac");
    write_file(rec / aac_name, aac.substr(0, aac.size() / 3 + 7));
    mark_recording(rec, {name, aac_name});
    std::this_thread::sleep_for(600ms);
    doc = parse_json(web.get("/api/analyze?file=" + aac_name).body);
    CHECK(doc["live"].GetBool());
    CHECK(doc["duration"].GetDouble() == Approx(60).margin(3));
    CHECK(sections_of(doc).size() >= events_before(57));
    // Once isrd moves on, it is analysed as a whole file (and cached).
    mark_recording(rec, {});
    std::this_thread::sleep_for(600ms);
    doc = parse_json(web.get("/api/analyze?file=" + name).body);
    CHECK_FALSE(doc["live"].GetBool());
    CHECK(doc["duration"].GetDouble() == Approx(120).margin(0.01));
}

TEST_CASE(
    "the analysis cache: decode once, new parameters without decoding, invalidated by changes",
    "[integration][web][analysis]") {
    TempDir dir("isr-analysis-cache");
    const auto rec = archive_with(dir, {".flac", ".mp3"});
    WebServer web(rec);
    const auto name = name_for(rec, ".flac");
    auto first = parse_json(web.get("/api/analyze?file=" + name).body);
    CHECK_FALSE(first["cached"].GetBool());
    CHECK(fs::exists(rec / "analyses" / (name + ".levels")));
    CHECK(fs::exists(rec / "analyses" / (name + ".analysis.json")));
    CHECK(fs::file_size(rec / "analyses" / (name + ".levels")) <
          5000); // 1800 windows, 2 bytes each
    CHECK(parse_json(web.get("/api/analyze?file=" + name).body)["cached"].GetBool());
    // New parameters come from the cached levels, not from the audio.
    const auto start = std::chrono::steady_clock::now();
    const auto other =
        parse_json(web.get("/api/analyze?file=" + name + "&margin=8&min_gap=5").body);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
    CHECK(other["cached"].GetBool());
    CHECK(other["params"]["min_gap"].GetDouble() == 5);
    // The listing says which parameter sets are cached.
    const auto list = web.get("/api/files?q=.flac").body;
    CHECK_THAT(list, Catch::Contains("{\"margin\":12.0,\"min_gap\":2.0,\"min_duration\":0.5}") &&
                         Catch::Contains("{\"margin\":8.0,\"min_gap\":5.0,\"min_duration\":0.5}"));
    // A server restart still finds the cache on disk.
    {
        WebServer again(rec);
        CHECK(parse_json(again.get("/api/analyze?file=" + name).body)["cached"].GetBool());
    }
    // A changed file is analysed again.
    fs::last_write_time(rec / name, fs::last_write_time(rec / name) + 10s);
    CHECK_FALSE(parse_json(web.get("/api/analyze?file=" + name).body)["cached"].GetBool());
    // Older analyser versions (or damaged files) are ignored, not trusted.
    write_file(rec / "analyses" / (name + ".levels"), "ISRLVL garbage");
    {
        WebServer fresh(rec);
        const auto doc = parse_json(fresh.get("/api/analyze?file=" + name).body);
        CHECK_FALSE(doc["cached"].GetBool());
        CHECK(sections_of(doc).size() == ground_truth_events().size());
    }
    // Deleting the recording deletes its cache.
    CHECK(http_request(web.port(), "DELETE", "/api/files/" + name).status == 200);
    CHECK_FALSE(fs::exists(rec / "analyses" / (name + ".levels")));
    CHECK_FALSE(fs::exists(rec / "analyses" / (name + ".analysis.json")));
}

TEST_CASE("an unwritable cache folder: analyses still work, and the log says so once",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-rocache");
    const auto rec = archive_with(dir, {".flac", ".mp3"});
    write_file(dir / "not-a-folder", "x");
    WebServer web(rec, {"--analyses-dir", (dir / "not-a-folder" / "analyses").string()},
                  dir.path());
    for (const auto& ext : {".flac", ".mp3"}) {
        const auto r = web.get(std::string("/api/analyze?file=") + name_for(rec, ext));
        CHECK(r.status == 200);
        CHECK(sections_of(parse_json(r.body)).size() == ground_truth_events().size());
    }
    CHECK(web.get("/api/analyze?file=" + name_for(rec, ".flac") + "&margin=10").status == 200);
    const auto log = web.process().log();
    const auto first = log.find("cannot be written");
    CHECK(first != std::string::npos);
    CHECK(log.find("cannot be written", first + 1) == std::string::npos);
}

TEST_CASE("a slow analysis reports progress without blocking (wait=0)",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-progress");
    const auto rec = archive_with(dir, {".aac"});
    WebServer web(rec, {"--analysis-workers", "1"});
    const auto name = name_for(rec, ".aac");
    auto r = web.get("/api/analyze?wait=0&file=" + name);
    int polls = 0;
    double last = -1;
    while (r.status == 202 && polls < 400) {
        const auto doc = parse_json(r.body);
        CHECK(std::string(doc["status"].GetString()) == "running");
        const double progress = doc["progress"].GetDouble();
        CHECK(progress >= 0);
        CHECK(progress < 1);
        CHECK(progress >= last);
        last = progress;
        ++polls;
        std::this_thread::sleep_for(20ms);
        r = web.get("/api/analyze?wait=0&file=" + name);
    }
    CHECK(polls > 0);
    REQUIRE(r.status == 200);
    CHECK(sections_of(parse_json(r.body)).size() == ground_truth_events().size());
    // Once analysed, a span answers at once too.
    r = web.get("/api/analyze?wait=0&from=60&to=63&file=" + name);
    REQUIRE(r.status == 200);
    const auto span = parse_json(r.body);
    CHECK(span["display_from"].GetDouble() == Approx(60));
    CHECK(span["rms_display"].Size() == 30);
}

TEST_CASE("clips are standalone WAVs, sample-exact for WAV and FLAC",
          "[integration][web][analysis]") {
    TempDir dir("isr-clips");
    const auto rec = archive_with(dir, {".wav", ".flac", ".mp3", ".ogg", ".opus", ".aac"});
    WebServer web(rec);
    for (const auto& ext : {".wav", ".flac"}) {
        INFO(ext);
        const auto name = name_for(rec, ext);
        const auto r = web.get("/api/clip?file=" + name + "&start=1:30.25&end=92.5");
        REQUIRE(r.status == 200);
        CHECK(r.header("content-type") == "audio/wav");
        const auto out = dir / ("clip" + std::string(ext) + ".wav");
        write_file(out, r.body);
        const auto clip = read_pcm_file(out);
        const auto source = read_pcm_file(rec / name);
        REQUIRE(clip);
        REQUIRE(source);
        CHECK(clip->rate == 22050);
        CHECK(clip->channels == 2);
        const auto first_frame = std::llround(90.25 * 22050);
        const auto first = static_cast<std::size_t>(first_frame) * 2;
        REQUIRE(clip->frames == std::llround(92.5 * 22050) - first_frame);
        CHECK(std::equal(clip->samples.begin(), clip->samples.end(),
                         source->samples.begin() + static_cast<std::ptrdiff_t>(first)));
    }
    for (const auto& ext : {".mp3", ".ogg", ".opus", ".aac"}) {
        INFO(ext);
        const auto r = web.get("/api/clip?file=" + name_for(rec, ext) + "&start=89&end=94");
        REQUIRE(r.status == 200);
        const auto out = dir / ("clip" + std::string(ext) + ".wav");
        write_file(out, r.body);
        CHECK(decode_errors(out) == "");
        CHECK(ffprobe_duration(out) == Approx(5.0).margin(0.001));
        // The loud event at 90-93 s is in it, at 1-4 s.
        const auto analysis = run_command("'" + isr_web_path().string() +
                                          "' analyze --format csv '" + out.string() + "'");
        CHECK_THAT(analysis.output, Catch::Contains(",1.0,4.0,") || Catch::Contains(",0.9,4.0,") ||
                                        Catch::Contains(",1.0,4.1,"));
    }
}

TEST_CASE("cuts are stream copies within one frame of the request, in every format",
          "[integration][web][analysis]") {
    TempDir dir("isr-cuts");
    const std::vector<std::pair<std::string, double>> formats = {{".wav", 1.0 / 22050},
                                                                 {".flac", 4608.0 / 22050},
                                                                 {".mp3", 1152.0 / 22050},
                                                                 {".aac", 1024.0 / 22050},
                                                                 {".ogg", 1.0},
                                                                 {".opus", 1.0}};
    std::vector<std::string> exts;
    for (const auto& f : formats)
        exts.push_back(f.first);
    const auto rec = archive_with(dir, exts);
    WebServer web(rec);
    for (const auto& [ext, frame] : formats) {
        INFO(ext);
        const auto name = name_for(rec, ext);
        const auto r = web.get("/api/cut?file=" + name + "&start=1:05&end=0:01:17.5");
        REQUIRE(r.status == 200);
        const auto base = fs::path(name).stem().string();
        CHECK(r.header("content-disposition") == "attachment; filename=\"" + base + "_65-77.5" +
                                                     ext + "\"; filename*=UTF-8''" + base +
                                                     "_65-77.5" + ext);
        const auto out = dir / ("cut" + ext);
        write_file(out, r.body);
        CHECK(decode_errors(out) == "");
        double tolerance = frame;
        if (ext == ".ogg" || ext == ".opus") {
            const auto pages = ogg_pages(r.body);
            REQUIRE(pages);
            tolerance = longest_ogg_page_seconds(*pages, ext == ".opus" ? 48000 : 22050);
        }
        // What decoding yields (codec delay aside, up to 30 ms), and for the formats that state a
        // length, what the file says (ffprobe only estimates ADTS lengths from the bitrate).
        const auto decoded = parse_json(
            run_command("'" + isr_web_path().string() + "' analyze '" + out.string() + "'").output);
        CHECK(decoded[0]["duration"].GetDouble() == Approx(12.5).margin(tolerance + 0.03));
        if (ext != ".aac")
            CHECK(ffprobe_duration(out) == Approx(12.5).margin(tolerance + 0.03));
    }
}

TEST_CASE("day highlights rank the day's sections and place them in time",
          "[integration][web][analysis]") {
    TempDir dir("isr-highlights");
    const auto rec = archive_with(dir, {".flac", ".mp3", ".wav"});
    WebServer web(rec, {"--timezone", "UTC"});
    // wait=0: 202 with progress until everything is analysed.
    auto r = web.get("/api/highlights?date=2026-11-21&wait=0");
    for (int i = 0; i < 200 && r.status == 202; ++i) {
        const auto doc = parse_json(r.body);
        CHECK(doc["pending"].GetUint() > 0);
        std::this_thread::sleep_for(50ms);
        r = web.get("/api/highlights?date=2026-11-21&wait=0");
    }
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK(doc["pending"].GetUint() == 0);
    CHECK(doc["files"].Size() == 3);
    CHECK(doc["total_sections"].GetUint() == 3 * ground_truth_events().size());
    CHECK(doc["sections"].Size() == 3 * ground_truth_events().size());
    double previous = 0;
    for (const auto& s : doc["sections"].GetArray()) {
        CHECK(s["absolute_start_epoch"].GetDouble() >= previous); // in time order
        previous = s["absolute_start_epoch"].GetDouble();
    }
    // The first file starts at 08:00 UTC: its first event at 08:00:20.
    CHECK(std::string(doc["sections"][0]["absolute_start"].GetString()) ==
          "2026-11-21T08:00:20+00:00");
    // The top N by score, still in time order.
    doc = parse_json(web.get("/api/highlights?date=2026-11-21&limit=4").body);
    CHECK(doc["sections"].Size() == 4);
    CHECK(doc["total_sections"].GetUint() == 15);
    CHECK(parse_json(web.get("/api/highlights?date=2026-11-21&limit=0").body)["sections"].Size() ==
          15); // all
    CHECK(parse_json(web.get("/api/highlights?date=2026-11-22").body)["files"].Size() == 0);
}

TEST_CASE("a FLAC cut off by a crash (no sample count in STREAMINFO) is listed, analysed, clipped "
          "and cut",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-crashed");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    // What isrd leaves after SIGKILL or a power cut: STREAMINFO still says "0 samples".
    write_file(rec / "crashed_20261121_080000.flac",
               with_flac_total_samples(read_file(ground_truth(".flac")), 0));
    WebServer web(rec);
    const auto list = parse_json(web.get("/api/files").body);
    CHECK(list[0]["duration"].GetDouble() == Approx(180).margin(0.5));
    const auto analysis =
        parse_json(web.get("/api/analyze?file=crashed_20261121_080000.flac").body);
    CHECK(sections_of(analysis).size() == ground_truth_events().size());
    CHECK(analysis["duration"].GetDouble() == Approx(180).margin(0.5));
    const auto clip = web.get("/api/clip?file=crashed_20261121_080000.flac&start=150&end=152");
    CHECK(clip.status == 200);
    write_file(dir / "clip.wav", clip.body);
    CHECK(ffprobe_duration(dir / "clip.wav") == Approx(2.0).margin(0.001));
    const auto cut = web.get("/api/cut?file=crashed_20261121_080000.flac&start=150&end=160");
    CHECK(cut.status == 200);
    write_file(dir / "cut.flac", cut.body);
    CHECK(decode_errors(dir / "cut.flac") == "");
    CHECK(ffprobe_duration(dir / "cut.flac") == Approx(10.0).margin(0.25));
}

TEST_CASE("a two-frame AAC file (a split just after isrd started) is listed, analysed and cut",
          "[integration][web][analysis]") {
    TempDir dir("isr-analysis-tiny");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    const auto full = dir / "full.aac";
    REQUIRE(run_command("ffmpeg -nostdin -v error -f lavfi -i sine=f=440:d=1:sample_rate=44100 -ac "
                        "2 -c:a aac -b:a 128k -f adts '" +
                        full.string() + "'")
                .status == 0);
    const auto bytes = read_file(full);
    std::size_t end = 0;
    for (int frame = 0; frame < 2; ++frame) { // ADTS frame length: 13 bits from byte 3
        REQUIRE(end + 7 <= bytes.size());
        const auto* h = reinterpret_cast<const unsigned char*>(bytes.data() + end);
        end += static_cast<std::size_t>((h[3] & 3) << 11 | h[4] << 3 | h[5] >> 5);
    }
    write_file(rec / "radio_20261121_075959.aac", bytes.substr(0, end));
    // libavformat's content probe alone refuses this file; isr-web reads it by its extension.
    CHECK_THAT(
        run_command("ffprobe -v error '" + (rec / "radio_20261121_075959.aac").string() + "'")
            .output,
        Catch::Contains("Invalid data"));
    WebServer web(rec);
    const auto list = parse_json(web.get("/api/files").body);
    REQUIRE(list.Size() == 1);
    CHECK(list[0]["error"].IsNull());
    CHECK(list[0]["duration"].GetDouble() == Approx(2 * 1024 / 44100.0).margin(0.03));
    const auto analysis = web.get("/api/analyze?file=radio_20261121_075959.aac");
    CHECK(analysis.status == 200);
    CHECK(sections_of(parse_json(analysis.body)).empty());
    const auto cut = web.get("/api/cut?file=radio_20261121_075959.aac&start=0&end=1");
    CHECK(cut.status == 200);
    CHECK(cut.body.size() > 100);
    write_file(dir / "cut.aac", cut.body);
    CHECK(decode_errors(dir / "cut.aac") == "");
}

TEST_CASE("isr-web analyze prints the same sections as JSON or CSV",
          "[integration][web][analysis]") {
    const auto file = ground_truth(".flac");
    const auto csv = run_command("'" + isr_web_path().string() + "' analyze --format csv '" +
                                 file.string() + "'");
    CHECK(csv.status == 0);
    CHECK_THAT(csv.output, Catch::StartsWith("file,start,end,peak_db,floor_db,score\n"));
    CHECK(std::count(csv.output.begin(), csv.output.end(), '\n') ==
          1 + static_cast<long>(ground_truth_events().size()));
    const auto json = run_command("'" + isr_web_path().string() + "' analyze --min-duration 0 '" +
                                  file.string() + "'");
    CHECK(json.status == 0);
    const auto doc = parse_json(json.output);
    REQUIRE(doc.IsArray());
    CHECK(doc[0]["sections"].Size() == ground_truth_events().size() + ground_truth_clicks().size());
    CHECK(run_command("'" + isr_web_path().string() + "' analyze --margin 99 x.wav").status == 2);
    CHECK(run_command("'" + isr_web_path().string() + "' analyze /nonexistent.wav").status == 1);
}
