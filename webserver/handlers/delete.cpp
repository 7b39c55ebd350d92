#include "common/json.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <cerrno>
#include <cstring>

namespace isr::web {

Response delete_recording(const Request& request, const App& app, const std::string& name) {
    if (app.options.read_only)
        throw HttpError(403, "this server is read-only (started with --read-only)");
    const auto rec = app.root->resolve(name);
    if (!rec)
        throw HttpError(404, no_such_recording(name));
    if (app.status.is_recording(rec->relative)) {
        throw HttpError(
            409,
            cat(name,
                " is still being recorded; it can be deleted once isrd moves to the next file"));
    }
    if (const int err = app.root->unlink(*rec); err != 0) {
        if (err == ENOENT)
            throw HttpError(404, no_such_recording(name));
        if (err == EXDEV) {
            throw HttpError(
                403, cat(name, " is reached through a linked folder; delete it by its real name, ",
                         rec->relative));
        }
        if (err == EROFS || err == EACCES || err == EPERM) {
            throw HttpError(403, cat("cannot delete ", name, ": ", std::strerror(err),
                                     " (is the recordings folder mounted read-only for isr-web?)"));
        }
        throw std::runtime_error(cat("unlink ", name, ": ", std::strerror(err)));
    }
    // Its keep marker would outlive it and hold its date folder.
    if (!rec->via_link())
        app.root->set_keep_marker(*rec, false);
    app.index.forget(name);
    app.forget_analysis(name);
    // Tidy up folders the deletion left empty (date folders), never the root itself.
    std::error_code ec;
    const auto& root = app.root->path();
    for (auto dir = (root / name).parent_path();
         dir != root && dir.native().size() > root.native().size(); dir = dir.parent_path()) {
        if (!std::filesystem::is_empty(dir, ec) || ec || !std::filesystem::remove(dir, ec))
            break;
    }
    log::info("web", "deleted ", name, rec->via_link() ? " (a link; its target stays)" : "",
              " (requested by ", request.remote, ")");
    JsonWriter w;
    w.begin_object().member("deleted", name).end_object();
    return json_response(w.str());
}

} // namespace isr::web
