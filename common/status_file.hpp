#pragma once

#include "common/source_kinds.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// A condition someone should look at (a silent source, a full disk): what, since when, and a
// sentence saying so. In status.json as {"kind", "since", "message"}, or null.
struct Alarm {
    std::string kind;
    std::string since;
    std::string message;
};

// The last loud event a source's live detector found (live_events), in status.json as
// {"start", "duration", "score", "ongoing"}, or null.
struct LoudEventStatus {
    std::string start;    // ISO 8601
    double duration = 0;  // seconds (so far, while ongoing)
    double score = 0;     // dB above the background
    bool ongoing = false; // confirmed, not over yet
};

// The recorder's state as written to <output_directory>/status.json. Fields may be added but
// never renamed: isr-web, the web UI and users' scripts read them.
struct SourceStatus {
    std::string name;
    SourceType type = SourceType::soundcard;
    RunState state = RunState::starting;
    std::optional<std::string> file; // relative to the recordings directory, '/' separators
    std::string format;
    std::uint64_t bytes = 0;              // bytes written to the current file
    std::uint64_t bytes_total = 0;        // bytes written since isrd started, every file
    std::optional<std::string> since;     // when the current file was started
    std::optional<std::string> last_data; // when data last arrived
    std::uint64_t reconnects = 0;
    std::uint64_t xruns = 0;
    std::uint64_t lost_frames = 0;   // audio lost since isrd started, in frames at sample_rate
    double lost_seconds = 0;         // the same in seconds (overruns, disk failures, deleted files)
    std::uint64_t disk_errors = 0;   // episodes in which the recordings could not be written
    std::uint64_t skipped_bytes = 0; // streams: received bytes that were not audio frames
    std::uint64_t resyncs = 0;       // streams: times the framing was lost and found again
    std::optional<double> level_dbfs; // RMS over the last second
    std::optional<double> peak_dbfs;  // peak over the last second
    std::optional<std::string> error;
    std::optional<std::string> input; // URL (password masked) or ALSA device
    std::optional<int> sample_rate;
    std::optional<int> channels;
    std::optional<double> bitrate_kbps;
    std::optional<std::string> stream_title;
    std::uint64_t files = 0;   // files completed since isrd started
    double replay_seconds = 0; // the instant-replay ring's length (replay_seconds); 0: none
    bool record = true;        // false: a replay-only source (record = no)
    std::optional<Alarm> alarm;
    std::optional<LoudEventStatus> last_event; // live_events
    std::uint64_t events_total = 0;            // loud events reported since isrd started
    std::uint64_t events_suppressed = 0;       // of those, held back from on_event by the cooldown
};

struct Status {
    int version = 1;
    std::string updated; // ISO 8601 with offset
    long pid = 0;
    std::vector<std::string> active;
    std::vector<SourceStatus> sources;
    std::optional<Alarm> alarm;
    // Why the continuity ledger (events/YYYY-MM.jsonl) could not be written, while it cannot.
    std::optional<std::string> ledger_error;
};

inline constexpr std::string_view kStatusFileName = "status.json";
inline constexpr double kStatusStaleSeconds = 10.0;

std::string to_json(const Status& status);

// Tolerant parse: unknown fields are ignored, missing ones keep their defaults.
// nullopt only when the text is not a JSON object.
std::optional<Status> parse_status(std::string_view json);

// Atomic replace (temp file + fsync + rename). Throws std::system_error naming the path.
void write_status_file(const std::filesystem::path& path, const Status& status);

struct StatusReading {
    bool present = false;         // the file exists and was readable
    std::optional<Status> status; // parsed, when it was valid JSON
    std::string raw;              // the file's text
    double age_seconds = 0;       // now - "updated" (or the file's mtime when that is missing)
    bool stale = false;           // older than kStatusStaleSeconds: the recorder is not running
};

// Never throws: a missing or unreadable file is `present = false`.
StatusReading
read_status_file(const std::filesystem::path& path,
                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

} // namespace isr
