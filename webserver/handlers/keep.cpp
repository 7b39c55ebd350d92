#include "common/analysis_cache_paths.hpp"
#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>

namespace isr::web {

namespace {

// The keep mark in the analysis cache folder, for a recordings folder isr-web cannot write.
// Returns 0 or an errno value.
int set_cache_keep_mark(const App& app, const std::string& recording, bool keep) {
    const auto mark = keep_mark_path(app.options.analyses_dir, recording);
    std::error_code ec;
    if (!keep) {
        if (!std::filesystem::remove(mark, ec) && ec)
            return ec.value();
        return 0;
    }
    std::filesystem::create_directories(mark.parent_path(), ec);
    if (ec)
        return ec.value();
    UniqueFd fd(::open(mark.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    return fd ? 0 : errno;
}

[[noreturn]] void refuse(int err, const std::string& name, bool keep, std::string_view where) {
    if (err == ENOENT || err == ELOOP || err == EXDEV || err == EEXIST)
        throw HttpError(404, no_such_recording(name));
    if (err == EROFS || err == EACCES || err == EPERM) {
        throw HttpError(403, cat("cannot ", keep ? "keep " : "unkeep ", name, ": ",
                                 std::strerror(err), " (", where, ")"));
    }
    throw std::runtime_error(cat(keep ? "keep " : "unkeep ", name, ": ", std::strerror(err)));
}

} // namespace

bool is_kept(const App& app, const std::string& recording) {
    return app.root->has_keep_marker(recording) ||
           has_keep_mark(app.options.analyses_dir, recording);
}

Response set_keep(const Request& request, const App& app, const std::string& name, bool keep) {
    if (app.options.read_only)
        throw HttpError(403, "this server is read-only (started with --read-only)");
    const auto rec = app.root->resolve(name);
    if (!rec)
        throw HttpError(404, no_such_recording(name));
    if (app.recordings_writable) {
        if (const int err = app.root->set_keep_marker(*rec, keep); err != 0)
            refuse(err, name, keep, "is the recordings folder mounted read-only for isr-web?");
        // A mark left in the cache while the folder was read-only goes with an unkeep too.
        if (!keep && set_cache_keep_mark(app, rec->relative, false) != 0)
            refuse(EACCES, name, keep, "the analysis cache folder is not writable");
    } else {
        if (const int err = set_cache_keep_mark(app, rec->relative, keep); err != 0)
            refuse(err, name, keep, "the analysis cache folder is not writable");
        // A .keep beside the recording (put there by hand) cannot be removed from here.
        if (!keep && app.root->has_keep_marker(rec->relative)) {
            throw HttpError(409, cat(name, " stays kept: ", rec->relative,
                                     ".keep beside it was put there by hand and isr-web cannot "
                                     "write the recordings folder; remove that file to unkeep"));
        }
    }
    log::info("web", keep ? "kept " : "no longer kept: ", rec->relative,
              keep ? " (retention will not delete it)" : "", " (requested by ", request.remote,
              ")");
    JsonWriter w;
    w.begin_object().member("kept", keep).member("name", name).end_object();
    return json_response(w.str());
}

} // namespace isr::web
