#include "recorder/ledger/source_events.hpp"

#include "common/strings.hpp"

#include <cmath>

namespace isr::rec {

SourceEvents::SourceEvents(const SourceConfig& cfg, std::shared_ptr<Ledger> ledger,
                           std::shared_ptr<HookRunner> hooks)
    : source_(cfg.name), log_(std::in_place, cfg.name, cfg.log_level), on_alarm_(cfg.on_alarm),
      on_alarm_clear_(cfg.on_alarm_clear), on_file_closed_(cfg.on_file_closed),
      on_event_(cfg.on_event), hook_timeout_(cfg.hook_timeout_seconds), ledger_(std::move(ledger)),
      hooks_(std::move(hooks)) {}

void SourceEvents::run_hook(const char* name, const std::vector<std::string>& command,
                            std::vector<std::string> args) const noexcept {
    if (command.empty() || !hooks_)
        return;
    try {
        HookJob job{name, source_, command, hook_timeout_};
        for (auto& a : args)
            job.argv.push_back(std::move(a));
        hooks_->run(std::move(job));
    } catch (const std::exception& e) {
        if (log_)
            log_->warning(name, ": ", e.what());
    }
}

void SourceEvents::file_opened(const std::string& file, const std::string& start) const noexcept {
    if (!ledger_)
        return;
    try {
        ledger_->append(
            LedgerEvent("file_opened", source_).with("path", file).with("start", start));
    } catch (const std::exception&) {
        // append never throws; building the event may only run out of memory
    }
}

void SourceEvents::file_closed(const std::filesystem::path& path, const std::string& file,
                               const std::string& start, double seconds, std::uint64_t bytes,
                               int rate) const noexcept {
    try {
        if (ledger_) {
            LedgerEvent e("file_closed", source_);
            e.with("path", file).with("start", start).with("seconds", seconds).with("bytes", bytes);
            if (rate > 0) {
                e.with("frames", static_cast<std::uint64_t>(std::llround(seconds * rate)));
            }
            ledger_->append(e);
        }
        if (!on_file_closed_.empty() && seconds > 0) {
            std::error_code ec;
            auto absolute = std::filesystem::absolute(path, ec);
            run_hook("on_file_closed", on_file_closed_,
                     {ec ? path.string() : absolute.lexically_normal().string(), source_, start,
                      fixed(seconds, 3), std::to_string(bytes)});
        }
    } catch (const std::exception&) {
    }
}

void SourceEvents::gap(std::string_view reason, double start_utc, double seconds,
                       std::string_view detail, bool until_stop) const noexcept {
    if (!ledger_ || !(seconds > 0))
        return;
    try {
        LedgerEvent e("gap", source_);
        e.with("reason", reason)
            .with("start", Ledger::time_text(start_utc))
            .with("seconds", seconds);
        if (!detail.empty())
            e.with("detail", detail);
        if (until_stop)
            e.with("until_stop", true);
        ledger_->append(e);
    } catch (const std::exception&) {
    }
}

void SourceEvents::alarm(const AlarmWatch::Change& change,
                         const std::string& since_iso) const noexcept {
    try {
        if (log_) {
            if (change.raised)
                log_->warning("alarm ", change.kind, ": ", change.message);
            else
                log_->info("alarm ", change.kind, " cleared: ", change.message);
        }
        if (ledger_) {
            ledger_->append(LedgerEvent(change.raised ? "alarm" : "alarm_cleared", source_)
                                .with("kind", change.kind)
                                .with("since", since_iso)
                                .with("message", change.message));
        }
        if (change.raised)
            run_hook("on_alarm", on_alarm_, {source_, change.kind, change.message});
        else
            run_hook("on_alarm_clear", on_alarm_clear_, {source_, change.kind, change.message});
    } catch (const std::exception&) {
    }
}

void SourceEvents::loud_event(double start_utc, double seconds, double peak_db, double floor_db,
                              bool hook) const noexcept {
    try {
        const auto start = Ledger::time_text(start_utc);
        const double score = peak_db - floor_db;
        if (ledger_) {
            ledger_->append(LedgerEvent("loud_event", source_)
                                .with("start", start)
                                .with("seconds", std::round(seconds * 1000) / 1000)
                                .with("score", std::round(score * 10) / 10)
                                .with("peak_db", std::round(peak_db * 10) / 10)
                                .with("floor_db", std::round(floor_db * 10) / 10));
        }
        if (hook)
            run_hook("on_event", on_event_, {source_, start, fixed(seconds, 1), fixed(score, 1)});
    } catch (const std::exception&) {
    }
}

} // namespace isr::rec
