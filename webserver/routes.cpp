#include "webserver/routes.hpp"

#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"

namespace isr::web {

Router make_router(const App& app) {
    using M = Method;
    return Router{
        {
            {M::get, "/api/files", [&app](auto& q, auto&) { return list_files(q, app); },
             Runs::work_pool},
            {M::delete_, "/api/files/{path*}",
             [&app](auto& q, auto& p) { return delete_recording(q, app, p[0]); }, Runs::work_pool},
            {M::post, "/api/keep/{path*}",
             [&app](auto& q, auto& p) { return set_keep(q, app, p[0], true); }, Runs::work_pool},
            {M::delete_, "/api/keep/{path*}",
             [&app](auto& q, auto& p) { return set_keep(q, app, p[0], false); }, Runs::work_pool},
            {M::get, "/api/status", [&app](auto& q, auto&) { return get_status(q, app); }},
            {M::post, "/api/replay", [&app](auto& q, auto&) { return save_replay(q, app); },
             Runs::work_pool},
            {M::get, "/api/storage", [&app](auto& q, auto&) { return get_storage(q, app); },
             Runs::work_pool},
            {M::get, "/api/config", [&app](auto& q, auto&) { return get_config(q, app); }},
            {M::get, "/api/analyze", [&app](auto& q, auto&) { return analyze_recording(q, app); },
             Runs::work_pool},
            {M::get, "/api/highlights", [&app](auto& q, auto&) { return day_highlights(q, app); },
             Runs::work_pool},
            {M::get, "/api/events", [&app](auto& q, auto&) { return day_events(q, app); },
             Runs::work_pool},
            {M::get, "/api/clip", [&app](auto& q, auto&) { return clip_recording(q, app); },
             Runs::media_pool},
            {M::get, "/api/cut", [&app](auto& q, auto&) { return cut_download(q, app); },
             Runs::media_pool},
            {M::get, "/metrics", [&app](auto& q, auto&) { return get_metrics(q, app); },
             Runs::work_pool},
            {M::get, "/stream/{path*}",
             [&app](auto& q, auto& p) { return serve_recording(q, app, p[0], false); }},
            {M::get, "/download/{path*}",
             [&app](auto& q, auto& p) { return serve_recording(q, app, p[0], true); }},
            {M::get, "/", [&app](auto& q, auto&) { return serve_ui(q, app); }},
            {M::get, "/{path*}", [&app](auto& q, auto&) { return serve_ui(q, app); }},
        },
        [&app](const Request& q) { app.origins.check(q); }};
}

} // namespace isr::web
