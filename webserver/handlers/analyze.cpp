#include "common/json.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "webserver/analysis/analysis_json.hpp"
#include "webserver/analysis/analysis_service.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/http_error.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <sys/stat.h>

namespace isr::web {

namespace {

struct Target {
    Recording recording;
    FileKey key;
    std::uint64_t inode = 0;
    bool live = false; // being recorded: analysed as far as it goes now
};

// A recording and whether isrd is writing it now; 404 when there is none.
Target analysable(const App& app, const std::string& name) {
    auto opened = app.root->open(name);
    if (!opened)
        throw HttpError(404, no_such_recording(name));
    const bool live = app.status.is_recording(opened->recording.relative);
    return {std::move(opened->recording), file_key(opened->st),
            static_cast<std::uint64_t>(opened->st.st_ino), live};
}

bool wants_wait(const Request& request) {
    const auto w = request.param("wait");
    return !w || !(*w == "0" || iequals(*w, "false") || iequals(*w, "no"));
}

Response running(const std::string& name, double progress) {
    JsonWriter w;
    w.begin_object()
        .member("file", name)
        .member("status", "running")
        .member("progress", progress)
        .end_object();
    return json_response(w.str(), 202);
}

// The most display points a request may ask for: more than any screen shows, few enough that
// the answer stays small.
constexpr double kMaxDisplayPoints = 4000;
constexpr double kDefaultDisplayPoints = 800;

// The span of the file the display values cover (from/to, seconds) and how many values at most.
struct DisplaySpan {
    double from = 0;
    double to = kMaxTimeSeconds; // clamped to the duration once it is known
    std::size_t points = static_cast<std::size_t>(kDefaultDisplayPoints);
};

// Validated before any analysis runs, so a bad request costs nothing.
DisplaySpan display_span(const Request& request) {
    DisplaySpan span;
    span.from = number_param(request, "from", 0, 0, kMaxTimeSeconds);
    span.to = number_param(request, "to", kMaxTimeSeconds, 0, kMaxTimeSeconds);
    span.points = static_cast<std::size_t>(
        number_param(request, "points", kDefaultDisplayPoints, 1, kMaxDisplayPoints));
    if (!(span.from < span.to))
        throw HttpError(400, cat("from must be before to; got from=", span.from, " to=", span.to));
    return span;
}

} // namespace

Response analyze_recording(const Request& request, const App& app) {
    const auto name = required_param(request, "file");
    const auto params = section_params(request, app);
    const auto span = display_span(request);
    const auto target = analysable(app, name);
    AnalysisOutcome out;
    try {
        if (target.live) {
            // Incremental and short (what was appended since the last request): no 202 dance.
            out = app.analysis->analyze_live(name, target.recording.absolute, target.inode, params,
                                             app.status.recording());
        } else if (wants_wait(request)) {
            out = app.analysis->analyze(name, target.recording.absolute, target.key, target.inode,
                                        params);
        } else {
            auto polled = app.analysis->poll(name, target.recording.absolute, target.key,
                                             target.inode, params);
            if (const auto* progress = std::get_if<double>(&polled))
                return running(name, *progress);
            out = std::move(std::get<AnalysisOutcome>(polled));
        }
    } catch (const HttpError&) {
        throw;
    } catch (const std::exception& e) {
        throw HttpError(422, cat("cannot analyse ", name, ": ", e.what()));
    }
    const auto& db = out.levels->db;
    const double window = out.levels->window_seconds;
    // Whole windows: the first one the span touches to the last one (the last may be partial).
    // The slack keeps 13 s / 0.1 s = 130.00000000000003 from reaching into window 131.
    constexpr double kSlack = 1e-6;
    const auto windows = db.size();
    const auto first = static_cast<std::size_t>(std::floor(span.from / window + kSlack));
    if (first >= windows && windows > 0) {
        throw HttpError(400, cat("from=", span.from, " is beyond the end of ", name, " (",
                                 format_time(out.levels->duration), ")"));
    }
    const auto last =
        std::min(windows, static_cast<std::size_t>(std::ceil(span.to / window - kSlack)));
    const auto begin_at = static_cast<std::ptrdiff_t>(std::min(first, windows));
    const auto end_at = static_cast<std::ptrdiff_t>(std::max(last, std::min(first, windows)));
    const auto shown =
        display({db.begin() + begin_at, db.begin() + end_at},
                {out.floor.begin() + begin_at, out.floor.begin() + end_at}, span.points);
    JsonWriter w(2);
    w.begin_object()
        .member("file", name)
        .member("duration", out.levels->duration)
        .member("sample_rate", out.levels->sample_rate)
        .member("channels", out.levels->channels)
        .member("window_seconds", out.levels->window_seconds)
        .member("display_seconds", static_cast<double>(shown.bucket_windows) * window)
        .member("display_from", std::round(static_cast<double>(begin_at) * window * 1e6) / 1e6);
    w.key("params");
    write_json(w, params);
    w.key("rms_display").begin_array();
    for (const float v : shown.rms)
        w.value(std::round(v * 10) / 10);
    w.end_array();
    w.key("floor_display").begin_array();
    for (const float v : shown.floor)
        w.value(std::round(v * 10) / 10);
    w.end_array();
    w.key("sections").begin_array();
    for (const auto& s : out.sections)
        write_json(w, s);
    w.end_array();
    w.member("cached", out.levels_cached).member("live", out.live).end_object();
    return json_response(w.str());
}

Response day_highlights(const Request& request, const App& app) {
    const auto day = date_param(request);
    if (!day)
        throw HttpError(400, "missing parameter date (YYYY-MM-DD)");
    const auto& date = *day;
    // limit=0: every section (the UI queues them all for J/K and shows the top ones as chips).
    const auto limit = static_cast<std::size_t>(number_param(request, "limit", 50, 0, 100000));
    const auto params = section_params(request, app);
    const bool wait = wants_wait(request);
    const auto recording = app.status.recording();

    struct Found {
        EntryPtr entry;
        Section section;
    };
    std::vector<Found> sections;
    std::vector<std::pair<EntryPtr, std::optional<double>>> files; // progress when pending
    std::map<std::string, double> live; // duration analysed so far, of files being recorded
    double progress_sum = 0;
    std::size_t pending = 0;
    for (const auto& entry : app.index.scan(recording)) {
        const auto& e = *entry;
        if (e.date.compare(0, 10, date) != 0)
            continue;
        try {
            const auto target = analysable(app, e.name);
            const auto& file = target.recording.absolute;
            std::variant<AnalysisOutcome, double> result;
            if (target.live)
                result = app.analysis->analyze_live(e.name, file, target.inode, params, recording);
            else if (wait)
                result = app.analysis->analyze(e.name, file, target.key, target.inode, params);
            else
                result = app.analysis->poll(e.name, file, target.key, target.inode, params);
            if (const auto* p = std::get_if<double>(&result)) {
                ++pending;
                progress_sum += *p;
                files.emplace_back(entry, *p);
                continue;
            }
            const auto& out = std::get<AnalysisOutcome>(result);
            for (const auto& s : out.sections)
                sections.push_back({entry, s});
            if (out.live)
                live[e.name] = out.levels->duration;
            progress_sum += 1;
            files.emplace_back(entry, 1.0);
        } catch (const std::exception&) {
            files.emplace_back(entry, std::nullopt); // unreadable files do not block the day
        }
    }
    const auto total_sections = sections.size();
    std::sort(sections.begin(), sections.end(),
              [](const Found& a, const Found& b) { return a.section.score > b.section.score; });
    if (limit > 0 && sections.size() > limit)
        sections.resize(limit);
    std::sort(sections.begin(), sections.end(), [](const Found& a, const Found& b) {
        return a.entry->start + a.section.start < b.entry->start + b.section.start;
    });

    JsonWriter w;
    w.begin_object().member("date", date);
    w.key("params");
    write_json(w, params);
    w.key("files").begin_array();
    for (const auto& [e, progress] : files) {
        const auto now = live.find(e->name);
        w.begin_object().member("name", e->name).member("start", e->start);
        if (now != live.end())
            w.member("duration", now->second); // the listing's may lag behind
        else
            w.member("duration", e->media.duration);
        w.member("recording", recording.count(e->name) > 0)
            .member("live", now != live.end())
            .member("analyzed", progress && *progress >= 1.0)
            .end_object();
    }
    w.end_array();
    const auto analysable_files = std::count_if(files.begin(), files.end(),
                                                [](const auto& f) { return f.second.has_value(); });
    w.member("pending", pending)
        .member("progress",
                analysable_files ? progress_sum / static_cast<double>(analysable_files) : 1.0);
    w.key("sections").begin_array();
    for (const auto& f : sections) {
        const double absolute = f.entry->start + f.section.start;
        const auto whole = static_cast<std::int64_t>(std::floor(absolute));
        w.begin_object().member("file", f.entry->name);
        write_members(w, f.section);
        w.member("absolute_start", iso8601(whole, *app.zone))
            .member("absolute_start_epoch", absolute)
            .end_object();
    }
    w.end_array();
    w.member("total_sections", total_sections).end_object();
    return json_response(w.str(), pending > 0 ? 202 : 200);
}

} // namespace isr::web
