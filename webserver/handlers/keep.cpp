#include "common/json.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <cerrno>
#include <cstring>

namespace isr::web {

Response set_keep(const Request& request, const App& app, const std::string& name, bool keep) {
    if (app.options.read_only)
        throw HttpError(403, "this server is read-only (started with --read-only)");
    const auto rec = app.root->resolve(name);
    if (!rec)
        throw HttpError(404, no_such_recording(name));
    if (const int err = app.root->set_keep_marker(*rec, keep); err != 0) {
        if (err == ENOENT || err == ELOOP || err == EXDEV || err == EEXIST)
            throw HttpError(404, no_such_recording(name));
        if (err == EROFS || err == EACCES || err == EPERM) {
            throw HttpError(403, cat("cannot ", keep ? "keep " : "unkeep ", name, ": ",
                                     std::strerror(err),
                                     " (is the recordings folder mounted read-only for isr-web?)"));
        }
        throw std::runtime_error(cat(keep ? "keep " : "unkeep ", name, ": ", std::strerror(err)));
    }
    log::info("web", keep ? "kept " : "no longer kept: ", rec->relative,
              keep ? " (retention will not delete it)" : "", " (requested by ", request.remote,
              ")");
    JsonWriter w;
    w.begin_object().member("kept", keep).member("name", name).end_object();
    return json_response(w.str());
}

} // namespace isr::web
