#include "common/json.hpp"
#include "webserver/app.hpp"
#include "webserver/archive/ledger_reader.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/http_error.hpp"

namespace isr::web {

namespace {

// A source name as config.ini allows it; anything else names no source.
bool source_name_ok(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

Response day_events(const Request& request, const App& app) {
    const auto day = date_param(request);
    if (!day)
        throw HttpError(400, "missing parameter date (YYYY-MM-DD)");
    std::optional<std::string> source;
    if (const auto s = request.param("source"); s && !s->empty()) {
        if (!source_name_ok(*s))
            throw HttpError(400, "source must be a source name (letters, digits, '_', '-', '.')");
        source = std::string(*s);
    }
    const auto found = read_day_events(app.root->path(), *day, source);
    double gap_seconds = 0;
    for (const auto& g : found.gaps)
        gap_seconds += g.seconds;
    JsonWriter w;
    w.begin_object().member("date", *day).member("source", source);
    w.key("events").begin_array();
    for (const auto& e : found.events)
        w.raw(e);
    w.end_array();
    w.key("gaps").begin_array();
    for (const auto& g : found.gaps) {
        w.begin_object()
            .member("source", g.source)
            .member("reason", g.reason)
            .member("detail", g.detail)
            .member("start", g.start)
            .member("end", g.end)
            .member("start_utc", g.start_utc)
            .member("seconds", g.seconds)
            .member("until_stop", g.until_stop)
            .end_object();
    }
    w.end_array();
    w.member("gap_seconds", gap_seconds)
        .member("skipped_lines", static_cast<std::uint64_t>(found.skipped))
        .member("truncated", found.truncated)
        .end_object();
    return json_response(w.str());
}

} // namespace isr::web
