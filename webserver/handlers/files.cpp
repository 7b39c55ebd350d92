#include "common/json.hpp"
#include "common/time_format.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <cmath>

namespace isr::web {

namespace {

// "YYYY-MM-DD" of a UTC instant in `zone`.
std::string local_date(double utc, const TimeZone& zone) {
    return format_time("%Y-%m-%d", static_cast<std::int64_t>(std::floor(utc)), zone);
}

} // namespace

Response list_files(const Request& request, App& app) {
    const auto date = request.param("date");
    if (date && (date->size() != 10 || !parse_iso8601(*date + "T00:00:00Z"))) {
        throw HttpError(400, "date must be YYYY-MM-DD");
    }
    const auto needle = request.param("q");
    const auto recording = app.status.recording();
    const auto entries = app.index.scan(recording);

    JsonWriter w;
    w.begin_array();
    for (const auto& e : entries) {
        if (date && local_date(e.start, *app.zone) != *date) continue;
        if (needle && e.name.find(*needle) == std::string::npos) continue;
        const auto start = static_cast<std::int64_t>(std::floor(e.start));
        w.begin_object()
            .member("name", e.name)
            .member("size", e.size)
            .member("mtime", e.mtime)
            .member("date", iso8601(start, *app.zone))
            .member("start", e.start)
            .member("start_from_name", e.start_from_name)
            .member("duration", e.media.duration)
            .member("ext", e.format)
            .member("format", e.format)
            .member("codec", e.media.codec)
            .member("sample_rate", e.media.sample_rate)
            .member("channels", e.media.channels)
            .member("bitrate_kbps", e.media.bitrate_kbps)
            .member("recording", recording.count(e.name) > 0)
            .member("error", e.media.problem);
        w.key("analyses").begin_array();
        const FileKey key{e.size, e.mtime_ns};
        for (const auto& p : app.analysis->cached_params(e.name, key)) {
            w.begin_object().member("margin", p.margin).member("min_gap", p.min_gap).member("min_duration", p.min_duration).end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    return json_response(w.str());
}

} // namespace isr::web
