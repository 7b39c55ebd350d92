#include "recorder/recorder.hpp"

#include "common/clock.hpp"
#include "common/file_util.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "recorder/alsa/alsa_source.hpp"
#include "recorder/control/socket_path.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/generator/generator_source.hpp"
#include "recorder/ledger/downtime.hpp"
#include "recorder/pcm/pcm_session.hpp"
#include "recorder/replay/pcm_replay.hpp"
#include "recorder/replay/stream_replay.hpp"
#include "recorder/stream/stream_session.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace isr::rec {

namespace {
constexpr double kStatusIntervalSeconds = 2.0;
constexpr double kFolderCheckSeconds = 1.0;
} // namespace

Recorder::Recorder(Config config) : config_(std::move(config)) {
    status_path_ = config_.general.output_directory / std::string(kStatusFileName);
    lock_path_ = config_.general.output_directory / ".isrd.lock";
}

bool Recorder::take_lock() {
    std::error_code ec;
    std::filesystem::create_directories(config_.general.output_directory, ec);
    if (ec) {
        log::error("", "cannot create output_directory ", config_.general.output_directory.string(),
                   ": ", ec.message(), "; create it or fix its permissions");
    }
    UniqueFd lock(::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        return false;
    lock_identity_ = lock ? FileIdentity::of(lock.get()) : FileIdentity{};
    folder_identity_ = PinnedFolder::at(config_.general.output_directory);
    lock_ = std::move(lock);
    return true;
}

void Recorder::check_output_directory() {
    if (!lock_ || lock_identity_.named_by(lock_path_))
        return;
    // The lock file is gone: the folder was removed (perhaps created again), or the file deleted.
    // Another isrd could now start on it, and status.json has nowhere to go.
    const auto folder = config_.general.output_directory.string();
    const bool folder_removed = !folder_identity_.named_by(config_.general.output_directory);
    if (take_lock()) {
        lock_lost_reported_ = false;
        if (folder_removed) {
            log::error("", "output_directory ", folder,
                       " was removed while recording; created it again and "
                       "locked it. Each source says what it lost; stop isrd before removing its "
                       "recordings folder");
        } else {
            log::error("", lock_path_.string(),
                       " was deleted while recording; locked a new one, so that no "
                       "second isrd records into ",
                       folder);
        }
        write_status();
    } else if (!lock_lost_reported_) {
        lock_lost_reported_ = true;
        log::error("", "output_directory ", folder,
                   " was removed while recording, and another isrd has "
                   "locked it since: two recorders now write into one folder; stop one of them");
    }
}

Recorder::~Recorder() {
    for (auto& r : runners_)
        r->request_stop();
    runners_.clear();
}

void Recorder::open_log() {
    if (config_.general.log_file.empty())
        return;
    try {
        log::open_file(config_.general.log_file);
    } catch (const std::exception& e) {
        log::warning("", e.what(), "; logging to stderr only");
    }
}

std::unique_ptr<SourceSession> Recorder::make_session(const SourceConfig& cfg,
                                                      const std::shared_ptr<SourceState>& state,
                                                      const std::shared_ptr<DiskFailure>& disk,
                                                      const std::shared_ptr<Replay>& replay) const {
    auto namer = std::make_shared<const FileNamer>(cfg, config_.general.output_directory);
    auto pcm_replay = std::dynamic_pointer_cast<PcmReplay>(replay);
    switch (cfg.type) {
    case SourceType::generator:
        return std::make_unique<PcmSession>(cfg, std::make_unique<GeneratorSource>(cfg), state,
                                            namer, disk, pcm_replay);
    case SourceType::soundcard:
        return std::make_unique<PcmSession>(cfg, std::make_unique<AlsaSource>(cfg), state, namer,
                                            disk, pcm_replay);
    case SourceType::stream:
        return std::make_unique<StreamSession>(cfg, state, namer, disk,
                                               std::dynamic_pointer_cast<StreamReplay>(replay));
    }
    throw std::logic_error("unknown source type");
}

void Recorder::start_control(std::vector<RecorderControl::Source> sources) {
    const auto where = control_socket_path(std::nullopt, &config_);
    control_ = std::make_unique<RecorderControl>(
        std::move(sources), config_.general.output_directory, [this] { return collect(); },
        [] { ::kill(::getpid(), SIGTERM); }, hooks_);
    try {
        control_server_ = std::make_unique<ControlServer>(where.path, *control_);
        control_server_->start();
        log::info("", "control socket ", where.path.string(), " (", where.origin,
                  "): isrd save | status | sources | pause | resume | quit");
    } catch (const std::exception& e) {
        // Recording matters more than commands: isrd goes on without them.
        log::error("",
                   "no control socket, so isrd save/pause/… cannot reach this isrd: ", e.what());
        control_server_.reset();
    }
}

Status Recorder::collect() const {
    Status s;
    s.updated = iso8601_now();
    s.pid = static_cast<long>(::getpid());
    for (const auto& state : states_) {
        auto snap = state->snapshot();
        if (snap.state == RunState::recording && snap.file)
            s.active.push_back(*snap.file);
        s.sources.push_back(std::move(snap));
    }
    if (retention_)
        s.alarm = retention_->alarm();
    if (ledger_)
        s.ledger_error = ledger_->error();
    return s;
}

void Recorder::notify_systemd(double now) {
    if (!systemd_.active())
        return;
    std::vector<ServiceNotifier::Source> sources;
    sources.reserve(states_.size());
    for (const auto& state : states_)
        sources.push_back({state->snapshot().name, state->liveness()});
    systemd_.update(collect(), sources, now);
}

std::set<std::string> Recorder::active_files() const {
    std::set<std::string> active;
    for (const auto& state : states_) {
        // Whatever the state: a source retrying still holds its last file open or about to be
        // reopened.
        if (auto file = state->snapshot().file)
            active.insert(std::move(*file));
    }
    return active;
}

void Recorder::start_retention() {
    if (!RetentionWorker::wanted(config_))
        return;
    try {
        // Each deletion goes into the continuity ledger: what is missing later, and why.
        retention_ = std::make_unique<RetentionWorker>(
            config_, [this] { return active_files(); },
            [ledger = ledger_](const RetentionDeletion& d) {
                ledger->append(LedgerEvent("retention_delete", d.source)
                                   .with("path", d.path)
                                   .with("reason", d.reason)
                                   .with("bytes", d.bytes));
            });
        retention_->start();
    } catch (const std::exception& e) {
        log::error("retention", "not started: ", e.what(), "; no recording will be deleted");
        retention_.reset();
    }
}

void Recorder::wake_retention_on_split() {
    if (!retention_)
        return;
    files_seen_.resize(states_.size(), 0);
    bool split = false;
    for (std::size_t i = 0; i < states_.size(); ++i) {
        const auto files = states_[i]->snapshot().files;
        split = split || files > files_seen_[i];
        files_seen_[i] = files;
    }
    if (split)
        retention_->wake();
}

void Recorder::record_stop(const std::string& reason) {
    for (const auto& state : states_)
        state->stopped();
    if (ledger_)
        ledger_->append(LedgerEvent("stop").with("reason", reason));
}

void Recorder::write_status() {
    try {
        write_status_file(status_path_, collect());
    } catch (const std::exception& e) {
        if (status_errors_.allow()) {
            log::error("", "cannot write ", status_path_.string(), ": ", e.what(),
                       "; isr-web will show the recorder as not running");
        }
    }
}

int Recorder::run() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    log::set_level(config_.general.log_level);
    open_log();
    // Before any thread exists: it takes the variables out of the environment.
    systemd_ = ServiceNotifier(SdNotify::from_environment());

    // One recorder per recordings folder: two would fight over status.json and file names.
    if (!take_lock()) {
        log::critical("", "another isrd is already recording into ",
                      config_.general.output_directory.string(), " (", lock_path_.string(),
                      " is locked); stop it first or use a different output_directory");
        return 1;
    }

    for (const auto& w : config_.warnings)
        log::warning("", w);
    ledger_ = std::make_shared<Ledger>(config_.general.output_directory /
                                       std::string(Ledger::kFolderName));
    // Before status.json is written again: a stale one is what a killed run left behind.
    const auto started_utc = wall_now();
    const auto downtime = previous_downtime(status_path_, ledger_->folder(), started_utc);
    hooks_ = std::make_shared<HookRunner>();
    std::vector<RecorderControl::Source> control_sources;
    for (const auto& cfg : config_.sources) {
        if (!cfg.enabled) {
            log::info(cfg.name, "disabled (enabled = no)");
            control_sources.push_back({&cfg, nullptr, nullptr});
            continue;
        }
        SourceStatus initial;
        initial.name = cfg.name;
        initial.type = cfg.type;
        initial.format = cfg.format;
        initial.replay_seconds = cfg.replay_seconds;
        initial.record = cfg.record;
        initial.input = cfg.type == SourceType::stream      ? mask_url_password(cfg.url)
                        : cfg.type == SourceType::soundcard ? cfg.device
                                                            : "generator";
        auto state = std::make_shared<SourceState>(initial);
        state->set_events(std::make_shared<const SourceEvents>(cfg, ledger_, hooks_));
        state->watch_alarms(cfg);
        auto disk = std::make_shared<DiskFailure>(
            cfg, state,
            cfg.type == SourceType::stream ? "the stream stays connected but its audio is dropped"
                                           : "audio is being dropped");
        std::shared_ptr<Replay> replay;
        if (cfg.replay_seconds > 0) {
            if (cfg.is_pcm())
                replay = std::make_shared<PcmReplay>(cfg, template_file_creator(cfg));
            else
                replay = std::make_shared<StreamReplay>(cfg, template_file_creator(cfg));
        }
        states_.push_back(state);
        disks_.emplace_back(Logger(cfg.name, cfg.log_level), disk);
        runners_.push_back(
            std::make_unique<SourceRunner>(cfg, state, [this, cfg, state, disk, replay] {
                return make_session(cfg, state, disk, replay);
            }));
        control_sources.push_back({&cfg, runners_.back().get(), replay});
    }
    if (runners_.empty()) {
        log::critical("", "every source in ", config_.file, " is disabled; nothing to record");
        return 1;
    }
    log::info("", "isrd ", kVersion, " recording ", runners_.size(), " source(s) into ",
              config_.general.output_directory.string());
    ledger_->append(LedgerEvent("start")
                        .with("version", kVersion)
                        .with("pid", static_cast<long>(::getpid()))
                        .with("sources", static_cast<long>(runners_.size())));
    // The time since the last run recorded is missing audio too, for every source.
    if (downtime) {
        for (const auto& cfg : config_.sources) {
            if (!cfg.enabled)
                continue;
            ledger_->append(LedgerEvent("gap", cfg.name)
                                .with("reason", downtime->reason)
                                .with("start", Ledger::time_text(downtime->start_utc))
                                .with("seconds", started_utc - downtime->start_utc)
                                .with("detail", downtime->detail));
        }
    }
    for (auto& r : runners_)
        r->start();
    // Before the control socket, whose thread reads retention_ through collect().
    start_retention();
    start_control(std::move(control_sources));

    std::string stop_reason;
    double next_status = mono_now();
    double next_check = mono_now() + kFolderCheckSeconds;
    for (;;) {
        const double now = mono_now();
        if (now >= next_check) {
            check_output_directory();
            next_check = now + kFolderCheckSeconds;
        }
        if (now >= next_status) {
            wake_retention_on_split();
            for (const auto& state : states_)
                state->check_alarms(now);
            write_status();
            next_status = now + kStatusIntervalSeconds;
        }
        notify_systemd(now);
        const bool all_failed = std::all_of(runners_.begin(), runners_.end(),
                                            [](const auto& r) { return r->finished(); });
        if (all_failed) {
            write_status();
            record_stop("every source has failed");
            log::critical("",
                          "every source has failed; exiting. status.json keeps their last errors.");
            systemd_.exiting("every source has failed; exiting (status.json keeps their errors)");
            return 1;
        }
        const double wait =
            std::max(0.05, std::min({next_status, next_check, systemd_.next_due()}) - mono_now());
        timespec ts{static_cast<time_t>(wait), static_cast<long>((wait - std::floor(wait)) * 1e9)};
        const int sig = sigtimedwait(&signals, nullptr, &ts);
        if (sig == SIGHUP) {
            log::info("", "SIGHUP: reopening the log file");
            open_log();
        } else if (sig == SIGINT || sig == SIGTERM) {
            log::info("", strsignal(sig), ": finishing files and stopping");
            systemd_.stopping();
            stop_reason = sig == SIGTERM ? "SIGTERM" : "SIGINT";
            break;
        }
    }

    const double started = mono_now();
    // No command from here on; saves still waiting for post_seconds are abandoned (and say so).
    control_server_.reset();
    control_.reset();
    retention_.reset(); // a pass in progress finishes its current file first
    for (auto& r : runners_)
        r->request_stop();
    for (auto& r : runners_)
        r->join();
    runners_.clear();
    for (const auto& [logger, disk] : disks_)
        disk->stopping(logger);
    record_stop(stop_reason);
    std::error_code ec;
    std::filesystem::remove(status_path_, ec);
    log::info("", "stopped in ", fixed(mono_now() - started, 2), " s; all files closed");
    return 0;
}

} // namespace isr::rec
