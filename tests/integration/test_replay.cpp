// Instant replay end to end: isrd capturing the isrtest counter through alsa-lib, saves asked
// for with `isrd save` and over the raw control socket.
#include "common/json.hpp"
#include "tests/integration/support/alsa_run.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/icecast.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <set>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const AlsaSource kMic{"mic", "isrtest_stereo", "wav", 2, 48000, 16};

// `isrd ARGS --socket S --json`: the exit status and the reply.
struct Cli {
    int status = -1;
    rapidjson::Document reply;
    std::string output;
};
Cli cli(const IsrdRun& run, const std::string& args) {
    Cli c;
    const auto r =
        run_command(isrd_path().string() + " " + args + " --json --socket " + run.socket.string());
    c.status = r.status;
    c.output = r.output;
    c.reply.Parse(r.output.c_str());
    return c;
}

std::string text(const rapidjson::Document& d, const char* key) {
    return d.IsObject() && d.HasMember(key) && d[key].IsString() ? d[key].GetString() : "";
}
double number(const rapidjson::Document& d, const char* key) {
    return d.IsObject() && d.HasMember(key) && d[key].IsNumber() ? d[key].GetDouble() : -1;
}

// One request line on a fresh connection; the reply line ("" when the connection closed).
std::string request(const fs::path& socket, const std::string& bytes) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    socket.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break; // the server may close on an oversized line before reading it all
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    char c = 0;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n')
        reply += c;
    ::close(fd);
    return reply;
}

PcmFile read_saved(const IsrdRun& run, const Cli& c) {
    INFO(c.output);
    REQUIRE(c.status == 0);
    const auto path = run.recordings / text(c.reply, "path");
    REQUIRE(fs::is_regular_file(path));
    std::string error;
    auto pcm = read_pcm_file(path, &error);
    INFO(error);
    REQUIRE(pcm);
    return *pcm;
}

// POST /api/replay with a JSON body: the status and the body of the answer.
std::pair<int, std::string> post_replay(int port, const std::string& body) {
    RawConnection c(port);
    c.send("POST /api/replay HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    std::string reply;
    while (auto part = c.receive(20000)) {
        if (part->empty())
            break;
        reply += *part;
    }
    const auto status = reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : 0;
    const auto head_end = reply.find("\r\n\r\n");
    return {status, head_end == std::string::npos ? "" : reply.substr(head_end + 4)};
}

// Every sample a source recorded, its files in order.
std::vector<std::int32_t> recorded(const IsrdRun& run, const std::string& source) {
    auto files = files_with_extension(run.recordings / source, ".wav");
    std::sort(files.begin(), files.end());
    std::vector<std::int32_t> all;
    for (const auto& f : files) {
        const auto pcm = read_pcm_file(f);
        REQUIRE(pcm);
        all.insert(all.end(), pcm->samples.begin(), pcm->samples.end());
    }
    REQUIRE_FALSE(all.empty());
    return all;
}

std::uint32_t first_counter(const PcmFile& f) {
    return counter_value(f.samples.front(), 16);
}
std::uint32_t last_counter(const PcmFile& f) {
    return counter_value(f.samples.back(), 16);
}

} // namespace

TEST_CASE("Instant replay: the last N seconds, post_seconds, since_last, concurrent saves",
          "[integration][replay][alsa]") {
    AlsaRun run;
    run.write_config("replay_seconds = 10\nsplit_interval = 1h", {kMic});
    run.start();
    REQUIRE(run.wait_for_state("mic", "recording", 10s));
    std::this_thread::sleep_for(4s);

    // Exactly the last 3 s: 144000 frames of a continuous counter, named by the template.
    auto saved = cli(run, "save --seconds 3 --label dog");
    const auto three = read_saved(run, saved);
    CHECK(three.rate == 48000);
    CHECK(three.channels == 2);
    CHECK(three.frames == 3 * 48000);
    CHECK_FALSE(counter_break(three.samples, 16));
    CHECK(number(saved.reply, "seconds") == Approx(3.0));
    CHECK_THAT(text(saved.reply, "path"),
               Catch::Matches(R"(replays/\d{4}-\d\d-\d\d/\d{6}_mic_dog\.wav)"));
    // The human form of the same reply.
    auto human =
        run_command(isrd_path().string() + " save --seconds 1 --socket " + run.socket.string());
    CHECK(human.status == 0);
    CHECK_THAT(human.output,
               Catch::Matches(R"(saved 1\.0 s of mic to replays/.*_mic_untitled\.wav\n)"));

    // post_seconds: the reply waits for the audio after the request; one continuous piece.
    const auto asked = std::chrono::steady_clock::now();
    saved = cli(run, "save --seconds 1 --post 2");
    // (The request's "now" is the ring's end, at most one read — 250 ms — behind the clock.)
    CHECK(std::chrono::steady_clock::now() - asked >= 2s - 300ms);
    const auto with_post = read_saved(run, saved);
    CHECK(with_post.frames == 3 * 48000);
    CHECK_FALSE(counter_break(with_post.samples, 16));

    // since_last: the next save starts where this one ended, not a sample repeated or missed.
    saved = cli(run, "save --seconds 2");
    const auto after_a = std::chrono::steady_clock::now();
    const auto a = read_saved(run, saved);
    std::this_thread::sleep_for(1500ms);
    saved = cli(run, "save --since-last");
    const double between =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - after_a).count();
    const auto b = read_saved(run, saved);
    CHECK(first_counter(b) == ((last_counter(a) + 1) & 0xffff));
    // What came since: at least the pause, at most the time between the replies (a loaded
    // machine starts the CLI slowly), give or take a read.
    CHECK(static_cast<double>(b.frames) >= 1.2 * 48000);
    CHECK(static_cast<double>(b.frames) <= (between + 0.3) * 48000);

    // Several clients at once: every save succeeds, each in its own file.
    std::vector<std::future<Cli>> saves;
    for (int i = 0; i < 5; ++i)
        saves.push_back(
            std::async(std::launch::async, [&] { return cli(run, "save --seconds 2"); }));
    std::set<std::string> paths;
    for (auto& f : saves) {
        const auto c = f.get();
        const auto pcm = read_saved(run, c);
        CHECK(pcm.frames == 2 * 48000);
        CHECK_FALSE(counter_break(pcm.samples, 16));
        paths.insert(text(c.reply, "path"));
    }
    CHECK(paths.size() == 5);

    // Recording went on the whole time, without a gap.
    REQUIRE(run.process->stop() == 0);
    CHECK_FALSE(counter_break(recorded(run, "mic"), 16, 0u));
}

TEST_CASE("Instant replay: a replay-only source writes nothing else, pause and resume",
          "[integration][replay][alsa]") {
    AlsaRun run;
    // on_save gets the path, the source, the label and the whole seconds, without a shell.
    const auto notes = run.dir / "on_save.txt";
    run.write_config("replay_seconds = 5\nrecord = no\non_save = sh -c 'printf \"%s|\" \"$@\" > " +
                         notes.string() + "' sh",
                     {kMic});
    run.start();
    REQUIRE(run.wait_for_state("mic", "recording", 10s));
    std::this_thread::sleep_for(3s);
    auto saved = cli(run, "save --label \"two words\"");
    const auto all = read_saved(run, saved);
    CHECK(all.frames >= 2 * 48000);
    CHECK(all.frames <= 5 * 48000);
    const auto path = (run.recordings / text(saved.reply, "path")).string();
    CHECK_THAT(text(saved.reply, "path"), Catch::Contains("_mic_two_words.wav"));
    REQUIRE(wait_until([&] { return fs::exists(notes) && !read_file(notes).empty(); }, 5s));
    CHECK(read_file(notes) ==
          path + "|mic|two words|" +
              std::to_string(std::llround(static_cast<double>(all.frames) / 48000)) + "|");
    // Nothing but the save and isrd's own files (the continuity ledger in events/ among them).
    std::vector<std::string> others;
    for (const auto& e : fs::recursive_directory_iterator(run.recordings)) {
        if (e.is_regular_file() && e.path().string().find("/replays/") == std::string::npos &&
            e.path().string().find("/events/") == std::string::npos &&
            e.path().filename().string()[0] != '.' && e.path().filename() != "status.json")
            others.push_back(e.path().string());
    }
    CHECK(others.empty());

    // Pause: capture stops and the device is released; status says paused.
    auto paused = cli(run, "pause mic");
    CHECK(paused.status == 0);
    REQUIRE(run.wait_for_state("mic", "paused", 5s));
    CHECK_THAT(run.process->log(), Catch::Contains("[mic] paused"));
    const auto opened = [&] {
        const auto log = run.process->log();
        std::size_t n = 0;
        for (auto at = log.find("capturing from"); at != std::string::npos;
             at = log.find("capturing from", at + 1))
            ++n;
        return n;
    };
    CHECK(opened() == 1);
    auto sources = cli(run, "sources");
    REQUIRE(sources.reply.IsObject());
    CHECK(sources.reply["sources"][0]["paused"].GetBool());
    // A save while paused still has the ring from before.
    saved = cli(run, "save --seconds 1");
    CHECK(read_saved(run, saved).frames == 48000);

    CHECK(cli(run, "resume").status == 0);
    REQUIRE(run.wait_for_state("mic", "recording", 10s));
    CHECK(opened() == 2); // the device was opened again
    REQUIRE(run.process->stop() == 0);
}

TEST_CASE("Instant replay: bad requests get an error and recording goes on, the socket file",
          "[integration][replay][control][alsa]") {
    AlsaRun run;
    // A stale socket from a crashed isrd is replaced.
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        run.socket.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
        ::close(fd);
    }
    const AlsaSource other{"other", "isrtest_mono", "wav", 1, 48000, 16};
    run.write_config("", {kMic, other}, "");
    // Only mic keeps a ring.
    auto config = read_file(run.config);
    config.replace(config.find("[mic]\n"), 6, "[mic]\nreplay_seconds = 4\n");
    write_file(run.config, config);
    run.start();
    REQUIRE(run.wait_for_state("mic", "recording", 10s));
    CHECK_THAT(run.process->log(), Catch::Contains("stale"));
    struct stat st {};
    REQUIRE(::stat(run.socket.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0660);
    std::this_thread::sleep_for(2s);

    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{not json\n", "malformed JSON"},
        {"{\"cmd\":\"dance\"}\n", "unknown command"},
        {"{\"cmd\":\"save\",\"source\":\"nobody\"}\n", "no source named \\\"nobody\\\""},
        {"{\"cmd\":\"save\",\"source\":\"other\"}\n", "other keeps no replay ring"},
        {"{\"cmd\":\"save\",\"source\":\"mic\",\"seconds\":-2}\n", "greater than 0"},
        {"{\"cmd\":\"save\",\"source\":\"mic\",\"seconds\":60}\n", "keeps only the last 4.0 s"},
        {"{\"cmd\":\"save\"}\n", "\"ok\":true"}, // the only source with a ring
    };
    for (const auto& [line, expect] : cases) {
        INFO(line);
        const auto reply = request(run.socket, line);
        CHECK_THAT(reply, Catch::Contains(expect));
    }
    // A line over 64 KiB: an error, then the connection is closed.
    CHECK_THAT(request(run.socket, std::string(70000, 'x') + "\n"),
               Catch::Contains("\"ok\":false"));
    // A client that connects and leaves mid-reply, a hundred at once.
    std::vector<std::thread> crowd;
    for (int i = 0; i < 100; ++i) {
        crowd.emplace_back([&] {
            const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un address{};
            address.sun_family = AF_UNIX;
            run.socket.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0)
                (void)::send(fd, "{\"cmd\":\"status\"}\n", 17, MSG_NOSIGNAL);
            ::close(fd);
        });
    }
    for (auto& t : crowd)
        t.join();
    CHECK_THAT(request(run.socket, "{\"cmd\":\"status\"}\n"), Catch::Contains("\"ok\":true"));

    // Through all of it, both sources recorded without a gap.
    REQUIRE(run.process->stop() == 0);
    CHECK_FALSE(fs::exists(run.socket)); // removed on exit
    for (const auto& name : {"mic", "other"}) {
        INFO(name);
        CHECK_FALSE(counter_break(recorded(run, name), 16, 0u));
    }
}

TEST_CASE("Instant replay of streams: MP3 and Ogg Opus saves decode cleanly and last what was "
          "asked",
          "[integration][replay][stream]") {
    IsrdRun run;
    IcecastServer icecast(run.dir / "icecast");
    FfmpegSource mp3(icecast, "/live.mp3", "mp3", run.dir / "ffmpeg-mp3.log");
    FfmpegSource opus(icecast, "/opus.ogg", "opus", run.dir / "ffmpeg-opus.log");
    std::this_thread::sleep_for(2s);
    run.write_config("replay_seconds = 20",
                     "[mp3]\ntype = stream\nurl = " + icecast.url("/live.mp3") +
                         "\n\n[opus]\ntype = stream\nurl = " + icecast.url("/opus.ogg") +
                         "\nrecord = no\n");
    run.start();
    REQUIRE(run.wait_for_state("mp3", "recording", 15s));
    std::this_thread::sleep_for(6s);
    struct Case {
        std::string source;
        std::string ext;
        double frame; // one frame or packet, plus Opus's pre-skip
    };
    for (const Case& c : {Case{"mp3", ".mp3", 1152.0 / 44100}, Case{"opus", ".opus", 0.0265}}) {
        INFO(c.source);
        auto saved = cli(run, "save --source " + c.source + " --seconds 4 --label x");
        INFO(saved.output);
        REQUIRE(saved.status == 0);
        const auto path = run.recordings / text(saved.reply, "path");
        CHECK(path.extension() == c.ext);
        CHECK(decode_errors(path) == "");
        CHECK(ffprobe_duration(path) == Approx(4.0).margin(c.frame + 0.001));
        CHECK(number(saved.reply, "seconds") == Approx(4.0).margin(c.frame + 0.001));
        // post_seconds on a stream: the reply waits for it.
        saved = cli(run, "save --source " + c.source + " --seconds 1 --post 1.5");
        REQUIRE(saved.status == 0);
        const auto with_post = run.recordings / text(saved.reply, "path");
        CHECK(decode_errors(with_post) == "");
        CHECK(ffprobe_duration(with_post) == Approx(2.5).margin(c.frame + 0.001));
    }
    // The replay-only stream wrote no recording.
    CHECK_FALSE(fs::exists(run.recordings / "opus"));
    REQUIRE(run.process->stop() == 0);
}

TEST_CASE("POST /api/replay saves through a real isrd, and refuses what it must",
          "[integration][replay][web][alsa]") {
    AlsaRun run;
    run.write_config("replay_seconds = 4", {kMic});
    run.start();
    REQUIRE(run.wait_for_state("mic", "recording", 10s));
    std::this_thread::sleep_for(2s);
    WebServer web(run.recordings, {"--control-socket", run.socket.string()});

    auto [status, body] = post_replay(web.port(), R"({"source":"mic","seconds":1,"label":"door"})");
    INFO(body);
    REQUIRE(status == 200);
    const auto reply = parse_json(body);
    const std::string path = reply["path"].GetString();
    CHECK_THAT(path, Catch::EndsWith("_mic_door.wav"));
    const auto saved = read_pcm_file(run.recordings / path);
    REQUIRE(saved);
    CHECK(saved->frames == 48000);
    CHECK_FALSE(counter_break(saved->samples, 16));
    // The saved file is served like any recording.
    CHECK(web.get("/stream/" + path).status == 200);

    const std::vector<std::tuple<std::string, int, std::string>> refused = {
        {R"({"source":"mic","seconds":60})", 409, "keeps only the last 4.0 s"},
        {R"({"source":"nobody"})", 409, "no source named"},
        {"nope", 400, "must be a JSON object"},
        {R"({"source":"mic","post_seconds":5})", 400, "unknown key"},
        {R"({"source":"mic","seconds":"5"})", 400, "wrong type"},
        {R"({"source":"mic","seconds":-1})", 400, "greater than 0"},
    };
    for (const auto& [request, code, text] : refused) {
        INFO(request);
        const auto [got, answer] = post_replay(web.port(), request);
        CHECK(got == code);
        CHECK_THAT(answer, Catch::Contains(text));
    }

    WebServer read_only(run.recordings, {"--control-socket", run.socket.string(), "--read-only"},
                        run.dir.path());
    CHECK(post_replay(read_only.port(), R"({"source":"mic"})").first == 403);
    WebServer nowhere(run.recordings, {"--control-socket", (run.dir / "none.sock").string()},
                      run.dir.path());
    const auto [code, answer] = post_replay(nowhere.port(), R"({"source":"mic"})");
    CHECK(code == 503);
    CHECK_THAT(answer, Catch::Contains("isrd is not answering on its control socket"));
    REQUIRE(run.process->stop() == 0);
}
