#pragma once

#include "common/clock.hpp"
#include "common/log.hpp"
#include "recorder/ledger/ledger_event.hpp"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace isr::rec {

// The continuity ledger: <output_directory>/events/YYYY-MM.jsonl, one JSON object per line, one
// file per month of the events' local time (isrd's time zone, the one status.json and the log
// use; each line's "time" carries its offset, and the month in a file's name is the one that
// time begins with). isr-web reads it for /api/events.
//
// Each line is built whole and written with one write() on a file opened O_APPEND, so a line is
// never interleaved with another and what was written survives SIGKILL (the page cache keeps it;
// a power cut may still take the last seconds). A write that fails (disk full, permissions)
// never reaches the caller: it is logged (at most every 5 minutes), shown by error(), and the
// line is kept in a bounded backlog that the next append writes first, so events from a disk
// episode still land once the disk works again.
class Ledger {
public:
    // `folder`: the events folder, created when missing. `clock`: UTC seconds (tests give
    // their own).
    explicit Ledger(std::filesystem::path folder, std::function<double()> clock = &wall_now);

    // Appends one line. Any thread; never throws.
    void append(const LedgerEvent& event) noexcept;

    // Why the last append failed, while appends fail; nullopt once one works.
    std::optional<std::string> error() const;
    // Lines dropped because the backlog was full.
    std::uint64_t dropped() const;

    const std::filesystem::path& folder() const noexcept { return folder_; }

    // The line for `event` (with its newline), its time `now` unless it has its own, bounded to
    // kMaxLineBytes; and the file it goes to, "YYYY-MM.jsonl". Pure, for tests.
    struct Line {
        std::string text;
        std::string file;
    };
    static Line line_of(const LedgerEvent& event, double now);
    // UTC seconds as the ledger writes times: ISO 8601 in isrd's local zone, with milliseconds
    // and the offset ("2026-11-21T14:03:05.250+01:00").
    static std::string time_text(double utc_seconds);

    static constexpr std::size_t kMaxLineBytes = 4096;
    static constexpr std::size_t kMaxBacklog = 1000;
    static constexpr std::string_view kFolderName = "events";

private:
    // Writes one line; throws std::system_error naming the file.
    void write_line(const Line& line);

    std::filesystem::path folder_;
    std::function<double()> clock_;
    mutable std::mutex mutex_;
    std::deque<Line> backlog_;
    std::optional<std::string> error_;
    std::uint64_t dropped_ = 0;
    RateLimit error_log_{std::chrono::minutes(5)};
};

} // namespace isr::rec
