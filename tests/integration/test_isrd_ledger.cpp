// The continuity ledger, alarms and hooks of a real isrd: what it appends survives SIGKILL, a
// silent source raises its alarm and runs on_alarm, on_file_closed gets its documented
// arguments, and a hook that hangs is killed while capture goes on.
#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/script_server.hpp"
#include "tests/integration/support/stream_fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <set>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct LedgerLine {
    std::string event;
    std::string source;
    rapidjson::Document doc;
};

// Every line of every month file; each must be a whole JSON object with a time and an event.
std::vector<LedgerLine> read_ledger(const fs::path& recordings) {
    std::vector<LedgerLine> out;
    const auto folder = recordings / "events";
    if (!fs::exists(folder))
        return out;
    for (const auto& file : fs::directory_iterator(folder)) {
        REQUIRE(file.path().extension() == ".jsonl");
        const auto text = read_file(file.path());
        REQUIRE((text.empty() || text.back() == '\n'));
        for (const auto& line : split(text, '\n')) {
            if (line.empty())
                continue;
            LedgerLine l;
            l.doc.Parse(line.data(), line.size());
            INFO(line);
            REQUIRE_FALSE(l.doc.HasParseError());
            REQUIRE(l.doc.IsObject());
            const auto time = json_string(l.doc, "time");
            REQUIRE(time);
            REQUIRE(parse_iso8601(*time));
            // The file is the month the line's own time begins with.
            CHECK(file.path().filename().string() == time->substr(0, 7) + ".jsonl");
            l.event = json_string(l.doc, "event").value_or("");
            l.source = json_string(l.doc, "source").value_or("");
            out.push_back(std::move(l));
        }
    }
    return out;
}

bool has(const std::vector<LedgerLine>& lines, const std::string& event,
         const std::string& source = {}) {
    for (const auto& l : lines)
        if (l.event == event && (source.empty() || l.source == source))
            return true;
    return false;
}

} // namespace

TEST_CASE("isrd's ledger, alarms and hooks: silence alarm, on_file_closed, a hung hook, SIGKILL",
          "[integration][ledger]") {
    IsrdRun run;
    const auto closed = run.dir / "closed.txt";
    const auto alarms = run.dir / "alarms.txt";
    // One line per call, "|"-separated: the arguments as the hook got them.
    const auto note = [](const fs::path& to) {
        return "sh -c 'printf \"%s|\" \"$@\" >> " + to.string() + "; echo >> " + to.string() +
               "' hook";
    };
    // A threshold no generator reaches: [quiet] is "silent" from its first second.
    run.write_config("split_interval = 1s\nsilence_alarm_seconds = 2\n",
                     "[quiet]\ntype = generator\nformat = wav\nchannels = 1\nsample_rate = 8000\n"
                     "silence_threshold_dbfs = -1\non_alarm = " +
                         note(alarms) + "\non_file_closed = " + note(closed) +
                         "\n\n[hang]\ntype = generator\nformat = flac\nchannels = 1\n"
                         "sample_rate = 8000\nhook_timeout_seconds = 1\n"
                         "on_file_closed = sh -c 'sleep 600' hook\n");
    run.start();
    REQUIRE(run.wait_for_state("quiet", "recording", 10s));

    // The alarm: in status.json, on_alarm with source, kind and message.
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("quiet");
            return s && s->alarm && s->alarm->kind == "silence";
        },
        10s));
    CHECK(parse_iso8601(run.status_of("quiet")->alarm->since));
    CHECK_FALSE(run.status_of("hang")->alarm); // no silence_threshold reached: -60 by default
    REQUIRE(wait_until([&] { return fs::exists(alarms) && !read_file(alarms).empty(); }, 5s));
    CHECK_THAT(read_file(alarms), Catch::StartsWith("quiet|silence|the level has stayed below"));
    CHECK_THAT(run.process->log(), Catch::Contains("WARNING  [quiet] alarm silence:"));

    // on_file_closed: path, source, start, duration, bytes of a finished file. The second one:
    // the first lasts from isrd's start to the next second, which may be a few milliseconds.
    REQUIRE(wait_until(
        [&] { return fs::exists(closed) && split(read_file(closed), '\n').size() >= 3; }, 10s));
    const auto first = split(split(read_file(closed), '\n').at(1), '|');
    REQUIRE(first.size() == 6); // and the empty piece after the last '|'
    CHECK(fs::path(first[0]).is_absolute());
    CHECK(fs::exists(first[0]));
    CHECK(first[1] == "quiet");
    CHECK(parse_iso8601(first[2]));
    CHECK(std::stod(first[3]) > 0.9);
    CHECK(std::stod(first[3]) <= 1.001);
    CHECK(std::to_string(fs::file_size(first[0])) == first[4]);

    // The hung hook is killed after hook_timeout_seconds; [hang] records on meanwhile.
    REQUIRE(wait_until(
        [&] {
            return run.process->log().find("[hang] on_file_closed: sh still running after 1.0 s "
                                           "(hook_timeout_seconds): killed it") !=
                   std::string::npos;
        },
        10s));
    const auto files_before = run.status_of("hang")->files;
    REQUIRE(wait_until([&] { return run.status_of("hang")->files >= files_before + 2; }, 10s));
    CHECK(run.status_of("hang")->state == RunState::recording);

    // SIGKILL: no "stop", but every line written before is whole and there.
    run.process->signal(SIGKILL);
    REQUIRE(run.process->wait(5s));
    const auto lines = read_ledger(run.recordings);
    CHECK(has(lines, "start"));
    CHECK_FALSE(has(lines, "stop"));
    CHECK(has(lines, "file_opened", "quiet"));
    CHECK(has(lines, "file_closed", "quiet"));
    CHECK(has(lines, "file_closed", "hang"));
    CHECK(has(lines, "alarm", "quiet"));
    for (const auto& l : lines) {
        if (l.event != "file_closed")
            continue;
        CHECK(json_number(l.doc, "seconds").value_or(0) > 0);
        CHECK(json_int(l.doc, "bytes").value_or(0) > 0);
        CHECK(json_int(l.doc, "frames").value_or(0) > 0);
        CHECK(parse_iso8601(json_string(l.doc, "start").value_or("")));
    }

    // The next start proves the time the killed run left unrecorded: a not_running gap for
    // each source, from its last status.json update (within 2 s of the kill) to the start.
    const double killed_at = wall_now();
    std::this_thread::sleep_for(1s);
    run.start();
    const auto downtime_gap = [&](const std::string& source) -> std::optional<double> {
        for (const auto& l : read_ledger(run.recordings)) {
            if (l.event == "gap" && l.source == source &&
                json_string(l.doc, "reason") == "not_running")
                return parse_iso8601(json_string(l.doc, "start").value_or(""));
        }
        return std::nullopt;
    };
    REQUIRE(wait_until([&] { return downtime_gap("quiet") && downtime_gap("hang"); }, 10s));
    CHECK(*downtime_gap("quiet") <= killed_at);
    CHECK(*downtime_gap("quiet") > killed_at - 5);
}

TEST_CASE("a pause is a gap in the ledger with its reason, start and length, and stop ends the run",
          "[integration][ledger]") {
    IsrdRun run;
    run.write_config("split_interval = 1h\n",
                     "[gen]\ntype = generator\nformat = wav\nchannels = 1\nsample_rate = 8000\n");
    run.start();
    REQUIRE(run.wait_for_state("gen", "recording", 10s));
    const auto cli = [&](const std::string& args) {
        return run_command(isrd_path().string() + " " + args + " --socket " + run.socket.string());
    };
    std::this_thread::sleep_for(1500ms); // some audio before the pause: the gap starts there
    REQUIRE(cli("pause gen").status == 0);
    REQUIRE(run.wait_for_state("gen", "paused", 5s));
    std::this_thread::sleep_for(1s);
    REQUIRE(cli("resume gen").status == 0);
    REQUIRE(run.wait_for_state("gen", "recording", 5s));
    REQUIRE(wait_until([&] { return has(read_ledger(run.recordings), "gap", "gen"); }, 5s));
    run.process->stop();
    const auto lines = read_ledger(run.recordings);
    const LedgerLine* gap = nullptr;
    for (const auto& l : lines)
        if (l.event == "gap")
            gap = &l;
    REQUIRE(gap);
    CHECK(json_string(gap->doc, "reason") == "pause");
    const auto start = parse_iso8601(json_string(gap->doc, "start").value_or(""));
    const auto at = parse_iso8601(json_string(gap->doc, "time").value_or(""));
    REQUIRE(start);
    REQUIRE(at);
    const auto seconds = json_number(gap->doc, "seconds").value_or(0);
    CHECK(seconds >= 1.0);
    CHECK(seconds < 10);
    CHECK(*at - *start == Approx(seconds).margin(0.01));
    REQUIRE(has(lines, "stop"));
    CHECK(lines.back().event == "stop");
    CHECK(json_string(lines.back().doc, "reason") == "SIGTERM");
}

TEST_CASE("a stream that stops sending raises no_data, and the reconnect clears it with a gap",
          "[integration][ledger][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 12);
    std::atomic<int> connection{0};
    ScriptServer server([&](ScriptServer::Connection& c) {
        const int i = connection++;
        c.send(ok_head("audio/mpeg"));
        if (i == 0) {
            // Two seconds of audio, then nothing: the connection stays open.
            c.send_paced(mp3.bytes.substr(0, static_cast<std::size_t>(2 * mp3.rate())), mp3.rate());
            c.hold();
        } else {
            c.send_paced(mp3.bytes, mp3.rate());
        }
    });
    IsrdRun run;
    const auto cleared = run.dir / "cleared.txt";
    run.write_config("split_interval = 1h\nretry_delay_seconds = 0.3\nsilence_alarm_seconds = 2\n"
                     "on_alarm_clear = sh -c 'printf \"%s|\" \"$@\" > " +
                         cleared.string() + "' hook",
                     stream_source("radio", server.url("/live"), "stall_timeout_seconds = 5"));
    run.start();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("radio");
            return s && s->alarm && s->alarm->kind == "no_data";
        },
        15s));
    CHECK(connection.load() == 1); // raised while the stalled connection is still open
    REQUIRE(wait_until([&] { return fs::exists(cleared); }, 15s));
    CHECK_THAT(read_file(cleared), Catch::StartsWith("radio|no_data|audio arrives again after "));
    // The hook runs as the alarm clears; status.json says so at its next write (every 2 s).
    CHECK(wait_until(
        [&] {
            const auto s = run.status_of("radio");
            return s && !s->alarm;
        },
        5s));
    REQUIRE(run.process->stop() == 0);
    const auto lines = read_ledger(run.recordings);
    CHECK(has(lines, "alarm", "radio"));
    CHECK(has(lines, "alarm_cleared", "radio"));
    const LedgerLine* gap = nullptr;
    for (const auto& l : lines)
        if (l.event == "gap")
            gap = &l;
    REQUIRE(gap);
    CHECK(json_string(gap->doc, "reason") == "reconnect");
    CHECK_THAT(json_string(gap->doc, "detail").value_or(""), Catch::Contains("5 s"));
    // From the last audio (about when the stall began) to the audio of the new connection.
    CHECK(json_number(gap->doc, "seconds").value_or(0) > 3);
    CHECK(json_number(gap->doc, "seconds").value_or(0) < 10);
}
