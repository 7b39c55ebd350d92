#pragma once

#include "common/config.hpp"
#include "common/file_util.hpp"
#include "recorder/control/control_server.hpp"
#include "recorder/control/recorder_control.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/hooks/hook_runner.hpp"
#include "recorder/ledger/ledger.hpp"
#include "recorder/replay/replay.hpp"
#include "recorder/retention/retention_worker.hpp"
#include "recorder/source_runner.hpp"
#include "recorder/source_state.hpp"
#include "recorder/systemd/service_notifier.hpp"
#include "recorder/writer/file_identity.hpp"

#include <memory>
#include <vector>

namespace isr::rec {

// isrd's process: one SourceRunner per enabled source (with its replay ring, when it has one),
// status.json every 2 s from the main thread, the control socket on a thread of its own, and
// signal handling (SIGTERM/SIGINT, or `quit` on the socket: finalize every file and remove
// status.json; SIGHUP: reopen the log file for logrotate), and systemd's notifications.
class Recorder {
public:
    explicit Recorder(Config config);
    ~Recorder();

    // Blocks until SIGTERM/SIGINT, or until every source has given up. Returns the exit code.
    // Must be called from the main thread before any other thread exists (it blocks the
    // handled signals so the source threads inherit the mask).
    int run();

private:
    std::unique_ptr<SourceSession> make_session(const SourceConfig& cfg,
                                                const std::shared_ptr<SourceState>& state,
                                                const std::shared_ptr<DiskFailure>& disk,
                                                const std::shared_ptr<Replay>& replay) const;
    // The control socket, answering for the sources; logs why when it cannot listen.
    void start_control(std::vector<RecorderControl::Source> sources);
    Status collect() const;
    // READY, STATUS and the watchdog for systemd (a no-op without $NOTIFY_SOCKET).
    void notify_systemd(double now);
    // The files being written, relative to output_directory (retention never deletes them).
    std::set<std::string> active_files() const;
    // Starts retention when the config asks for it; a split (a source's `files` count going up)
    // wakes it.
    void start_retention();
    void wake_retention_on_split();
    // The end of the run in the ledger: open gaps end, then "stop" with `reason`.
    void record_stop(const std::string& reason);
    void write_status();
    void open_log();
    // Creates output_directory if needed and locks its .isrd.lock. False when another isrd
    // holds it.
    bool take_lock();
    // Once a second: output_directory removed (or its lock file deleted) while recording is
    // created and locked again.
    void check_output_directory();

    Config config_;
    std::filesystem::path status_path_;
    std::filesystem::path lock_path_;
    UniqueFd lock_;
    FileIdentity lock_identity_;
    PinnedFolder folder_identity_;
    bool lock_lost_reported_ = false;
    // Declared before the sources: they outlive them, so the last file_closed is told.
    std::shared_ptr<Ledger> ledger_;
    std::shared_ptr<HookRunner> hooks_;
    std::vector<std::shared_ptr<SourceState>> states_;
    // Per source, outliving its sessions: a disk problem is one episode across reconnects.
    std::vector<std::pair<Logger, std::shared_ptr<DiskFailure>>> disks_;
    std::vector<std::unique_ptr<SourceRunner>> runners_;
    // After states_: stopped before the states its active_files() reads go away.
    std::unique_ptr<RetentionWorker> retention_;
    std::vector<std::uint64_t> files_seen_; // per state, the `files` count at the last look
    // Declared after the runners: destroyed first, so no command reaches a runner that is gone.
    std::unique_ptr<RecorderControl> control_;
    std::unique_ptr<ControlServer> control_server_;
    RateLimit status_errors_{std::chrono::minutes(5)};
    ServiceNotifier systemd_;
};

} // namespace isr::rec
