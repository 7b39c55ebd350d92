#include "common/json.hpp"
#include "common/time_format.hpp"
#include "webserver/analysis/analysis_json.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/http_error.hpp"

#include <cmath>

namespace isr::web {

Response list_files(const Request& request, const App& app) {
    const auto date = date_param(request);
    const auto needle = request.param("q");
    const auto recording = app.status.recording();
    const auto entries = app.index.scan(recording);

    JsonWriter w;
    w.begin_array();
    for (const auto& entry : entries) {
        const auto& e = *entry;
        if (date && e.date.compare(0, 10, *date) != 0)
            continue;
        if (needle && e.name.find(*needle) == std::string::npos)
            continue;
        w.begin_object()
            .member("name", e.name)
            .member("size", e.size)
            .member("mtime", e.mtime)
            .member("date", e.date)
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
            .member("kept", is_kept(app, e.name))
            .member("error", e.media.problem);
        w.key("analyses").begin_array();
        for (const auto& p : app.analysis->cached_params(e.name, e.key())) {
            write_json(w, p);
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    return json_response(w.str());
}

} // namespace isr::web
