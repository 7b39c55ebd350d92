#pragma once

#include "common/log.hpp"
#include "common/replay_template.hpp"
#include "common/source_kinds.hpp"
#include "common/split_schedule.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// One recording source: a config.ini section other than [general], with every [general] key
// inherited and overridable. Defaults match the original ISR.
struct SourceConfig {
    std::string name;
    SourceType type = SourceType::soundcard;
    int line = 0; // line of the section header, for messages
    bool enabled = true;

    std::filesystem::path output_directory = "recordings";
    SplitInterval split{3600};
    std::string filename_pattern = "%Y%m%d_%H%M%S";
    std::string timezone; // empty: the machine's local zone
    int max_retries = 10; // consecutive failures before giving up; 0 = never give up
    double retry_delay_seconds = 5;
    std::optional<log::Level> log_level;

    // Instant replay (README "Instant replay"): the last replay_seconds kept in RAM, saved on
    // request through the control socket.
    double replay_seconds = 0;        // 0: no replay ring
    bool record = true;               // false: a replay-only source that writes no recordings
    ReplayTemplate replay_template;   // where a save goes, relative to output_directory
    std::vector<std::string> on_save; // run after each save (argv); empty: nothing

    // Retention (README "Retention and the disk guard"), done by isrd; 0: no limit.
    double retention_days = 0;   // delete finished recordings older than this
    double retention_max_gb = 0; // keep this source's recordings under this many GB (10^9 B)
    // Alarms and hooks (README "Alarms and hooks"). A hook is argv run without a shell, with
    // its arguments appended; empty: none.
    double silence_alarm_seconds = 0;        // silence or no data this long raises an alarm; 0: off
    double silence_threshold_dbfs = -60;     // PCM sources: below this RMS level is silence
    std::vector<std::string> on_alarm;       // + source, kind, message
    std::vector<std::string> on_alarm_clear; // + source, kind, message
    std::vector<std::string> on_file_closed; // + path, source, start, duration, bytes
    double hook_timeout_seconds = 60;        // a hook still running then is killed

    // Record-time levels (README "Finding loud events"): each recording's levels are computed
    // while it is written (a stream is decoded as it arrives), so isr-web need not decode it.
    bool levels = true;

    // type = stream
    std::string url;
    std::string username;
    std::string password;
    bool tls_verify = true;
    double stall_timeout_seconds = 15;
    double connect_timeout_seconds = 10;

    // type = stream: auto|mp3|aac|ogg|opus|flac; soundcard/generator: wav|flac
    std::string format;

    // type = soundcard / generator
    std::string device = "default";
    int sample_rate = 44100;
    int channels = 2;
    int bit_depth = 16;
    int compression_level = 5;

    // type = generator
    std::uint64_t seed = 1;
    // Times real time (demos, benchmarks): audio is produced that much faster and timed as if
    // captured so, so an hour of files takes an hour / speed.
    int speed = 1;

    bool is_pcm() const noexcept { return type != SourceType::stream; }
    // The replay ring's audio in bytes at the recorded sample format (a PCM source), or 0 (no
    // ring, or a stream, whose bytes follow its bit rate).
    std::uint64_t replay_pcm_bytes() const noexcept;
};

// replay_seconds is capped because the ring is allocated in full when isrd starts, and the
// ring of a PCM source is capped in bytes, as a high rate and many channels multiply it.
inline constexpr double kMaxReplaySeconds = 3600;
inline constexpr std::uint64_t kMaxReplayPcmBytes = 4ull << 30;

struct GeneralConfig {
    std::filesystem::path output_directory = "recordings"; // status.json lives here
    log::Level log_level = log::Level::info;
    std::string log_file = "recorder.log"; // empty: stderr only
    // The control socket's path; empty: control_socket_path() (common/control_socket_path)
    // picks $XDG_RUNTIME_DIR/isrd.sock or <output_directory>/.isrd.sock.
    std::filesystem::path control_socket;
    // The disk guard (README "Retention and the disk guard"); 0: off. When the filesystem of
    // output_directory has less free, the oldest finished recordings of every source go first.
    double min_free_percent = 0;
    double min_free_gb = 0;
    // Globs relative to output_directory (common/path_glob.hpp) that retention never deletes.
    std::vector<std::string> protect;
};

struct Config {
    std::string file; // as given, for messages
    GeneralConfig general;
    std::vector<SourceConfig> sources; // in file order, disabled ones included
    std::vector<std::string> warnings;
};

// Every problem found in a config file, each naming file, line, section, key and what is
// accepted. Thrown only after the whole file was checked.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<std::string> errors);
    const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    std::vector<std::string> errors_;
};

// Parses config text. `file_label` names the file in messages. Throws ConfigError.
Config parse_config(std::string_view text, const std::string& file_label);

// Reads and parses a file. Throws ConfigError (also for an unreadable file).
Config load_config(const std::filesystem::path& path);

// The resolved settings of every source, as INI text, passwords masked (isrd --check-config).
std::string describe_config(const Config& config);

} // namespace isr
