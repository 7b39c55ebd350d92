#include "recorder/ledger/ledger.hpp"
#include "recorder/source_state.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using isr::rec::Ledger;
using isr::rec::LedgerEvent;

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    return isr::split(isr::read_small_file(file), '\n');
}

rapidjson::Document parse(const std::string& line) {
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    return doc;
}

// 2026-11-21 12:00:00 UTC
constexpr double kNoon = 1795262400.0;

} // namespace

TEST_CASE("a ledger line holds time, event, source and fields in order", "[recorder][ledger]") {
    const auto line = Ledger::line_of(LedgerEvent("gap", "mic")
                                          .with("reason", "overrun")
                                          .with("start", "2026-11-21T13:00:00+01:00")
                                          .with("seconds", 0.25)
                                          .with("frames", 12000ull)
                                          .with("until_stop", true),
                                      kNoon);
    REQUIRE(line.text.back() == '\n');
    REQUIRE(line.text.find('\n') == line.text.size() - 1);
    const auto doc = parse(line.text.substr(0, line.text.size() - 1));
    REQUIRE(isr::json_string(doc, "event") == "gap");
    REQUIRE(isr::json_string(doc, "source") == "mic");
    REQUIRE(isr::json_string(doc, "reason") == "overrun");
    REQUIRE(isr::json_number(doc, "seconds") == Approx(0.25));
    REQUIRE(isr::json_int(doc, "frames") == 12000);
    REQUIRE(isr::json_bool(doc, "until_stop") == true);
    const auto time = isr::json_string(doc, "time").value();
    REQUIRE(isr::parse_iso8601(time).value() == Approx(kNoon));
    // The file is named after the month the line's own time begins with.
    REQUIRE(line.file == time.substr(0, 7) + ".jsonl");
    // No source: an event of isrd as a whole.
    const auto start = Ledger::line_of(LedgerEvent("start"), kNoon);
    REQUIRE(start.text.find("\"source\"") == std::string::npos);
}

TEST_CASE("a ledger line stays bounded and valid UTF-8 whatever its fields hold",
          "[recorder][ledger]") {
    LedgerEvent e("gap", "mic");
    std::string detail(100000, 'x');
    detail.append("\xff\xfe\n\"");
    e.with("detail", detail);
    for (int i = 0; i < 100; ++i)
        e.with(isr::cat("f", i), std::string(500, 'y'));
    const auto line = Ledger::line_of(e, kNoon);
    REQUIRE(line.text.size() <= Ledger::kMaxLineBytes);
    REQUIRE(line.text.find('\n') == line.text.size() - 1);
    const auto doc = parse(line.text);
    REQUIRE(isr::json_bool(doc, "truncated") == true);
    const auto bad = Ledger::line_of(LedgerEvent("gap", "mic").with("detail", "a\xc3(b"), kNoon);
    REQUIRE(isr::json_string(parse(bad.text), "detail") == "a?(b");
}

TEST_CASE("the ledger appends whole lines from many threads into the month's file",
          "[recorder][ledger]") {
    isr::test::ScratchDir dir("isr-ledger");
    const auto folder = dir.path / "events"; // created on the first append
    Ledger ledger(folder, [] { return kNoon; });
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&ledger, t] {
            for (int i = 0; i < 200; ++i)
                ledger.append(LedgerEvent("file_closed", isr::cat("s", t))
                                  .with("n", i)
                                  .with("pad", std::string(static_cast<std::size_t>(i * 7), 'p')));
        });
    }
    threads.clear();
    const auto file = folder / Ledger::line_of(LedgerEvent("x"), kNoon).file;
    const auto lines = lines_of(file);
    REQUIRE(lines.size() == 801); // and the empty string after the last newline
    REQUIRE(lines.back().empty());
    int per_source[4] = {};
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        const auto doc = parse(lines[i]);
        const auto source = isr::json_string(doc, "source").value();
        const int t = source[1] - '0';
        REQUIRE(isr::json_int(doc, "n") == per_source[t]); // each thread's lines in order
        ++per_source[t];
    }
    REQUIRE(ledger.error() == std::nullopt);
}

TEST_CASE("a ledger that cannot be written keeps the lines and writes them later",
          "[recorder][ledger]") {
    isr::test::ScratchDir dir("isr-ledger");
    const auto folder = dir.path / "events";
    // A file where the folder should be: every append fails (as root too, unlike a mode).
    isr::write_file_atomic(folder, "in the way");
    Ledger ledger(folder, [] { return kNoon; });
    ledger.append(LedgerEvent("gap", "mic").with("reason", "disk_failure"));
    REQUIRE(ledger.error().has_value());
    REQUIRE(ledger.error()->find("events") != std::string::npos); // names the file
    std::filesystem::remove(folder);
    ledger.append(LedgerEvent("file_opened", "mic"));
    REQUIRE_FALSE(ledger.error().has_value());
    const auto lines = lines_of(folder / Ledger::line_of(LedgerEvent("x"), kNoon).file);
    REQUIRE(lines.size() == 3);
    REQUIRE(isr::json_string(parse(lines[0]), "event") == "gap");
    REQUIRE(isr::json_string(parse(lines[1]), "event") == "file_opened");
}

TEST_CASE("a source's gap opens where its last audio arrived and reaches the ledger when it "
          "records again, or at stop",
          "[recorder][ledger]") {
    isr::test::ScratchDir dir("isr-ledger");
    auto ledger = std::make_shared<Ledger>(dir.path / "events");
    isr::SourceConfig cfg;
    cfg.name = "radio1";
    isr::SourceStatus initial;
    initial.name = "radio1";
    isr::rec::SourceState state(initial, kNoon - 100);
    state.set_events(std::make_shared<const isr::rec::SourceEvents>(cfg, ledger, nullptr));
    state.recording();
    state.heard(std::nullopt, 0, kNoon);
    state.gap_opened("reconnect", "no data for 15 s");
    state.gap_opened("reconnect", "a second failure keeps the first gap");
    state.attempt_started();
    state.recording(); // audio again: the gap ends now
    state.attempt_started();
    state.gap_opened("pause", "");
    state.stopped(kNoon + 7200);
    std::vector<rapidjson::Document> gaps;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path / "events")) {
        for (const auto& line : lines_of(entry.path())) {
            if (!line.empty())
                gaps.push_back(parse(line));
        }
    }
    REQUIRE(gaps.size() == 2);
    REQUIRE(isr::json_string(gaps[0], "reason") == "reconnect");
    REQUIRE(isr::json_string(gaps[0], "detail") == "no data for 15 s");
    REQUIRE(isr::parse_iso8601(isr::json_string(gaps[0], "start").value()).value() ==
            Approx(kNoon));
    REQUIRE(isr::json_number(gaps[0], "seconds").value() > 0);
    REQUIRE(isr::json_string(gaps[1], "reason") == "pause");
    REQUIRE(isr::json_number(gaps[1], "seconds").value() == Approx(7200));
    REQUIRE(isr::json_bool(gaps[1], "until_stop") == true);
    REQUIRE(state.snapshot().reconnects == 1);
}
