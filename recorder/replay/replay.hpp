#pragma once

#include "common/config.hpp"
#include "common/file_util.hpp"
#include "recorder/source_runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>

namespace isr::rec {

// What a save asks for (the control protocol's save command, checked).
struct SaveOptions {
    std::optional<double> seconds; // before the request; absent: all the ring holds
    std::string label;             // empty: none
    double post_seconds = 0;       // after the request
    bool since_last = false;       // start where this source's previous save ended
};

// The facts a saved file is named from.
struct SaveName {
    std::string source;
    std::string label;
    double start_utc = 0; // the first sample saved
    double seconds = 0;
    unsigned counter = 0;  // saves of this source since isrd started, this one included
    std::string extension; // with the dot: ".wav"
};
// Creates the file a save goes to (never overwriting one). Throws std::system_error.
using SaveFileCreator = std::function<CreatedFile(const SaveName&)>;
// The source's replay_template under its output_directory, in its time zone.
SaveFileCreator template_file_creator(const SourceConfig& cfg);

// A saved file.
struct SavedClip {
    std::filesystem::path path;
    double seconds = 0;
    double start_utc = 0;
};

// A save that cannot be done, worded for the client: "mic keeps only 60 s (asked for 90 s)".
class ReplayError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How long a save waits for post_seconds of audio without any arriving before it saves what
// came (the source paused, failed or reconnects meanwhile).
inline constexpr double kPostGraceSeconds = 5;

// Waits until `end()` (where the ring's audio ends now) reaches `target`, or stops moving for
// kPostGraceSeconds; returns how far it got. Throws ReplayError when `stop` is requested. Polled
// every 10 ms: the capture thread must not pay for waking savers, and a save that waits a few
// milliseconds more for its last read does not matter.
template <class Position, class End>
Position wait_for_audio(Position target, End&& end, std::stop_token stop);

// One source's instant replay: the ring its session writes into, and saves from it.
class Replay {
public:
    virtual ~Replay() = default;

    // Blocks until the file is closed: waits for post_seconds of new audio, copies, writes.
    // Runs on a thread of its own, never the capture thread. Throws ReplayError (or
    // std::system_error for the file).
    virtual SavedClip save(const SaveOptions& options, std::stop_token stop) = 0;
    // Seconds the ring holds now (0 before capture starts).
    virtual double seconds_held() const = 0;
    // Seconds the ring may hold (replay_seconds).
    virtual double capacity_seconds() const = 0;
};

template <class Position, class End>
Position wait_for_audio(Position target, End&& end, std::stop_token stop) {
    auto reached = end();
    auto last_progress = std::chrono::steady_clock::now();
    while (reached < target) {
        if (!sleep_for(0.01, stop))
            throw ReplayError("isrd is stopping; the save was abandoned");
        const auto now_end = end();
        const auto now = std::chrono::steady_clock::now();
        if (now_end > reached) {
            reached = now_end;
            last_progress = now;
        } else if (now - last_progress > std::chrono::duration<double>(kPostGraceSeconds)) {
            break;
        }
    }
    return std::min(reached, target);
}

} // namespace isr::rec
