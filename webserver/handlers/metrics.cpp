#include "common/clock.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/metrics/exposition.hpp"

#include <array>
#include <cmath>
#include <set>

#include <sys/statvfs.h>

namespace isr::web {

namespace {

constexpr std::array kRunStates{RunState::starting, RunState::connecting, RunState::recording,
                                RunState::retrying, RunState::failed,     RunState::paused,
                                RunState::stopped};
// Alarm kinds always exported (0 or 1), so that an alert rule has a series to watch before the
// first alarm; any other kind isrd reports is exported while it lasts.
constexpr std::array<std::string_view, 2> kSourceAlarmKinds{"silence", "no_data"};
constexpr std::array<std::string_view, 1> kRecorderAlarmKinds{"disk_low"};

double as_double(std::uint64_t n) {
    return static_cast<double>(n);
}

// One family over every source: `value` gives a source's sample, or nullopt to leave it out.
template <class Value>
void per_source(Exposition& out, const Status& status, std::string_view name, std::string_view type,
                std::string_view help, Value&& value) {
    out.family(name, type, help);
    for (const auto& s : status.sources) {
        if (const std::optional<double> v = value(s))
            out.sample(name, {{"source", s.name}, {"type", to_string(s.type)}}, *v);
    }
}

template <std::size_t N>
void alarm_samples(Exposition& out, std::string_view name, const std::optional<Alarm>& alarm,
                   const std::array<std::string_view, N>& known, const SourceStatus* source) {
    std::set<std::string_view> kinds(known.begin(), known.end());
    if (alarm && !alarm->kind.empty())
        kinds.insert(alarm->kind);
    for (const auto kind : kinds) {
        const double on = alarm && alarm->kind == kind ? 1 : 0;
        if (source) {
            out.sample(
                name, {{"source", source->name}, {"type", to_string(source->type)}, {"kind", kind}},
                on);
        } else {
            out.sample(name, {{"kind", kind}}, on);
        }
    }
}

void recorder_metrics(Exposition& out, const StatusReading& reading) {
    const bool running = reading.present && reading.status && !reading.stale;
    out.family("isr_recorder_running", "gauge",
               "1 when isrd's status.json is fresh (updated within the last 10 s).");
    out.sample("isr_recorder_running", running ? 1 : 0);
    out.family("isr_recorder_status_age_seconds", "gauge",
               "Seconds since isrd last wrote status.json (absent: there is none).");
    if (reading.present)
        out.sample("isr_recorder_status_age_seconds", std::max(0.0, reading.age_seconds));
    out.family("isr_recorder_alarm", "gauge",
               "1 while a recorder-wide alarm (the disk guard) is raised, by kind.");
    alarm_samples(out, "isr_recorder_alarm",
                  running ? reading.status->alarm : std::optional<Alarm>{}, kRecorderAlarmKinds,
                  nullptr);
    if (!reading.status)
        return;
    const Status& st = *reading.status;
    const double now = to_seconds(std::chrono::system_clock::now());

    per_source(out, st, "isr_source_up", "gauge",
               "1 while the source is recording (and isrd is running), else 0.",
               [&](const SourceStatus& s) -> std::optional<double> {
                   return running && s.state == RunState::recording ? 1 : 0;
               });
    out.family("isr_source_state", "gauge", "1 for the state the source is in, 0 for the others.");
    for (const auto& s : st.sources) {
        for (const auto state : kRunStates) {
            out.sample(
                "isr_source_state",
                {{"source", s.name}, {"type", to_string(s.type)}, {"state", to_string(state)}},
                s.state == state ? 1 : 0);
        }
    }
    per_source(
        out, st, "isr_source_written_bytes_total", "counter",
        "Bytes written to recordings since isrd started.",
        [](const SourceStatus& s) -> std::optional<double> { return as_double(s.bytes_total); });
    per_source(out, st, "isr_source_file_bytes", "gauge", "Bytes in the file being written now.",
               [](const SourceStatus& s) -> std::optional<double> { return as_double(s.bytes); });
    per_source(out, st, "isr_source_files_total", "counter",
               "Recordings completed since isrd started.",
               [](const SourceStatus& s) -> std::optional<double> { return as_double(s.files); });
    per_source(
        out, st, "isr_source_reconnects_total", "counter",
        "Times recording resumed after a failure (stream reconnects, devices reopened).",
        [](const SourceStatus& s) -> std::optional<double> { return as_double(s.reconnects); });
    per_source(out, st, "isr_source_xruns_total", "counter",
               "Sound card overruns (audio the capture did not read in time).",
               [](const SourceStatus& s) -> std::optional<double> { return as_double(s.xruns); });
    per_source(
        out, st, "isr_source_lost_frames_total", "counter",
        "Audio frames lost since isrd started (overruns, disk failures, gaps).",
        [](const SourceStatus& s) -> std::optional<double> { return as_double(s.lost_frames); });
    per_source(out, st, "isr_source_lost_seconds_total", "counter",
               "Seconds of audio lost since isrd started.",
               [](const SourceStatus& s) -> std::optional<double> { return s.lost_seconds; });
    per_source(
        out, st, "isr_source_disk_errors_total", "counter",
        "Episodes in which the source's recordings could not be written.",
        [](const SourceStatus& s) -> std::optional<double> { return as_double(s.disk_errors); });
    per_source(out, st, "isr_source_last_data_age_seconds", "gauge",
               "Seconds since the source last delivered audio (absent: never).",
               [&](const SourceStatus& s) -> std::optional<double> {
                   const auto at = s.last_data ? parse_iso8601(*s.last_data) : std::nullopt;
                   if (!at)
                       return std::nullopt;
                   return std::max(0.0, now - *at);
               });
    per_source(out, st, "isr_source_level_dbfs", "gauge",
               "RMS level over the last second, in dBFS (PCM sources).",
               [](const SourceStatus& s) { return s.level_dbfs; });
    per_source(out, st, "isr_source_peak_dbfs", "gauge",
               "Peak level over the last second, in dBFS (PCM sources).",
               [](const SourceStatus& s) { return s.peak_dbfs; });
    per_source(
        out, st, "isr_source_loud_events_total", "counter",
        "Loud events isrd's live detector reported since it started (live_events).",
        [](const SourceStatus& s) -> std::optional<double> { return as_double(s.events_total); });
    per_source(out, st, "isr_source_loud_events_suppressed_total", "counter",
               "Of those, events the cooldown kept from running on_event.",
               [](const SourceStatus& s) -> std::optional<double> {
                   return as_double(s.events_suppressed);
               });
    out.family("isr_source_alarm", "gauge", "1 while the source's alarm of this kind is raised.");
    for (const auto& s : st.sources)
        alarm_samples(out, "isr_source_alarm", running ? s.alarm : std::optional<Alarm>{},
                      kSourceAlarmKinds, &s);
}

void disk_metrics(Exposition& out, const App& app) {
    struct statvfs fs {};
    if (::statvfs(app.root->path().c_str(), &fs) == 0) {
        const double unit = static_cast<double>(fs.f_frsize);
        out.family("isr_disk_size_bytes", "gauge", "Size of the recordings' filesystem.");
        out.sample("isr_disk_size_bytes", static_cast<double>(fs.f_blocks) * unit);
        out.family("isr_disk_free_bytes", "gauge", "Free bytes on the recordings' filesystem.");
        out.sample("isr_disk_free_bytes", static_cast<double>(fs.f_bfree) * unit);
        out.family("isr_disk_available_bytes", "gauge",
                   "Bytes available to unprivileged users (what isrd can still write).");
        out.sample("isr_disk_available_bytes", static_cast<double>(fs.f_bavail) * unit);
    }
    double bytes = 0;
    double count = 0;
    for (const auto& e : app.index.scan(app.status.recording())) {
        bytes += static_cast<double>(e->size);
        ++count;
    }
    out.family("isr_recordings_bytes", "gauge", "Bytes in the recordings isr-web lists.");
    out.sample("isr_recordings_bytes", bytes);
    out.family("isr_recordings", "gauge", "Number of recordings isr-web lists.");
    out.sample("isr_recordings", count);
}

} // namespace

Response get_metrics(const Request&, const App& app) {
    Exposition out;
    out.family("isr_build_info", "gauge", "The isr version serving these metrics.");
    out.sample("isr_build_info", {{"version", kVersion}}, 1);
    recorder_metrics(out, app.status.read());
    disk_metrics(out, app);
    app.metrics.render(out);
    const auto analysis = app.analysis->counters();
    out.family("isr_web_analysis_cache_hits_total", "counter",
               "Analyses answered from cached levels (memory or the analysis cache).");
    out.sample("isr_web_analysis_cache_hits_total", as_double(analysis.cache_hits));
    out.family("isr_web_analysis_cache_misses_total", "counter",
               "Analyses that had to decode their recording.");
    out.sample("isr_web_analysis_cache_misses_total", as_double(analysis.cache_misses));
    out.family("isr_web_analyses_running", "gauge", "Decodes for analysis in progress now.");
    out.sample("isr_web_analyses_running", as_double(analysis.running));

    Response r;
    r.header("Content-Type", std::string(Exposition::kContentType))
        .header("Cache-Control", "no-store");
    r.body = out.text();
    return r;
}

} // namespace isr::web
