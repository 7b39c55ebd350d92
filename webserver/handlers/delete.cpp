#include "common/json.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace isr::web {

namespace {

// Browsers send Origin (and Sec-Fetch-Site) with a DELETE; a page from another origin must not
// be able to delete recordings. Clients that send neither (curl, scripts) are not browsers.
void refuse_cross_origin(const Request& request) {
    const auto site = request.header("Sec-Fetch-Site");
    if (!site.empty() && site != "same-origin" && site != "none") {
        throw HttpError(403, cat("cross-site request refused (Sec-Fetch-Site: ", site, ")"));
    }
    const auto origin = request.header("Origin");
    if (origin.empty()) return;
    const auto scheme_end = origin.find("://");
    const auto origin_host = scheme_end == std::string_view::npos ? origin : origin.substr(scheme_end + 3);
    if (origin == "null" || !iequals(origin_host, request.header("Host"))) {
        throw HttpError(403, cat("cross-origin request refused (Origin: ", origin, ")"));
    }
}

} // namespace

Response delete_recording(const Request& request, App& app, const std::string& name) {
    if (app.options.read_only) throw HttpError(403, "this server is read-only (started with --read-only)");
    refuse_cross_origin(request);
    const auto rec = app.root->resolve(name);
    if (!rec) throw HttpError(404, no_such_recording(name));
    if (app.status.is_recording(name)) {
        throw HttpError(409, cat(name, " is still being recorded; it can be deleted once isrd moves to the next file"));
    }
    if (::unlink(rec->absolute.c_str()) != 0) {
        const int err = errno;
        if (err == ENOENT) throw HttpError(404, no_such_recording(name));
        if (err == EROFS || err == EACCES || err == EPERM) {
            throw HttpError(403, cat("cannot delete ", name, ": ", std::strerror(err),
                                     " (is the recordings folder mounted read-only for isr-web?)"));
        }
        throw std::runtime_error(cat("unlink ", name, ": ", std::strerror(err)));
    }
    app.index.forget(name);
    app.forget_analysis(name);
    // Tidy up folders the deletion left empty (date folders), never the root itself.
    std::error_code ec;
    for (auto dir = rec->absolute.parent_path(); dir != app.root->path() && dir.native().size() > app.root->path().native().size();
         dir = dir.parent_path()) {
        if (!std::filesystem::is_empty(dir, ec) || ec || !std::filesystem::remove(dir, ec)) break;
    }
    log::info("web", "deleted ", name, " (requested by ", request.remote, ")");
    JsonWriter w;
    w.begin_object().member("deleted", name).end_object();
    return json_response(w.str());
}

} // namespace isr::web
