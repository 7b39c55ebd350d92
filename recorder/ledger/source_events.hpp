#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/alarm_watch.hpp"
#include "recorder/hooks/hook_runner.hpp"
#include "recorder/ledger/ledger.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace isr::rec {

// What happens to one source, told to the continuity ledger and to its hooks: files opened and
// closed, gaps in its audio, alarms raised and cleared. Without a ledger or hook runner (unit
// tests) the calls do only what is left. Any thread; never throws and never blocks on a hook.
class SourceEvents {
public:
    SourceEvents() = default; // tells no one
    SourceEvents(const SourceConfig& cfg, std::shared_ptr<Ledger> ledger,
                 std::shared_ptr<HookRunner> hooks);

    // A recording was opened: `file` relative to the recordings folder, `start` the ISO 8601
    // time its name stands for.
    void file_opened(const std::string& file, const std::string& start) const noexcept;
    // A recording was closed, keeping `seconds` of audio in `bytes` (frames too when `rate`
    // is known). `path` is the file's path as isrd opened it, for on_file_closed.
    void file_closed(const std::filesystem::path& path, const std::string& file,
                     const std::string& start, double seconds, std::uint64_t bytes,
                     int rate) const noexcept;
    // Audio is missing from `start_utc` for `seconds`, because of `reason` (a word: reconnect,
    // device_lost, overrun, disk_failure, pause, file_deleted, stream_damaged); `detail` says
    // more (the error), `until_stop` that isrd stopped before the source came back.
    void gap(std::string_view reason, double start_utc, double seconds,
             std::string_view detail = {}, bool until_stop = false) const noexcept;
    // An alarm was raised or cleared; `since_iso` is Change::since as ISO 8601.
    void alarm(const AlarmWatch::Change& change, const std::string& since_iso) const noexcept;
    // A loud event (live_events) began at `start_utc` and lasted `seconds`, its loudest window
    // `peak_db` over a background of `floor_db`. To the ledger, and to on_event unless the
    // cooldown holds it back (`run_hook` false).
    void loud_event(double start_utc, double seconds, double peak_db, double floor_db,
                    bool run_hook) const noexcept;

private:
    void run_hook(const char* name, const std::vector<std::string>& command,
                  std::vector<std::string> args) const noexcept;

    std::string source_;
    std::optional<Logger> log_;
    std::vector<std::string> on_alarm_;
    std::vector<std::string> on_alarm_clear_;
    std::vector<std::string> on_file_closed_;
    std::vector<std::string> on_event_;
    double hook_timeout_ = 60;
    std::shared_ptr<Ledger> ledger_;
    std::shared_ptr<HookRunner> hooks_;
};

} // namespace isr::rec
