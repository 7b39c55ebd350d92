#include "common/audio_formats.hpp"
#include "common/file_key.hpp"
#include "common/file_util.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "webserver/app.hpp"
#include "webserver/archive/live_extent.hpp"
#include "webserver/byte_range.hpp"
#include "webserver/etag.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::web {

Response serve_recording(const Request& request, const App& app, const std::string& name,
                         bool download) {
    auto opened = app.root->open(name);
    if (!opened)
        throw HttpError(404, no_such_recording(name));
    auto& fd = opened->fd;
    const struct stat& st = opened->st;
    const auto* type = format_of_file(opened->recording.relative);
    const bool live = app.status.is_recording(opened->recording.relative);

    Response r;
    r.header("Content-Type", std::string(type->serve_type));
    r.header("Accept-Ranges", "bytes");
    const auto slash = name.rfind('/');
    r.header(
        "Content-Disposition",
        content_disposition(download, slash == std::string::npos ? name : name.substr(slash + 1)));

    auto size = static_cast<std::uint64_t>(st.st_size);
    std::string overlay;
    std::string etag;
    std::string last_modified;
    if (live) {
        auto view = live_view(fd.get(), size, type->format);
        size = view.size;
        overlay = std::move(view.overlay);
        r.header("Cache-Control", "no-store"); // it grows: never reuse a cached copy
    } else {
        char tag[64];
        const auto key = file_key(st);
        std::snprintf(tag, sizeof tag, "\"%llx-%llx-%llx\"",
                      static_cast<unsigned long long>(st.st_ino),
                      static_cast<unsigned long long>(key.size),
                      static_cast<unsigned long long>(key.mtime_ns));
        etag = tag;
        last_modified = http_date(st.st_mtim.tv_sec);
        r.header("ETag", etag);
        r.header("Last-Modified", last_modified);
        r.header("Cache-Control", "no-cache");
        const auto inm = request.header("If-None-Match");
        const auto ims = parse_http_date(request.header("If-Modified-Since"));
        if (none_match_hits(inm, etag) || (inm.empty() && ims && *ims >= st.st_mtim.tv_sec)) {
            r.status = 304;
            return r;
        }
    }

    // If-Range: the range applies only to the representation the client already has.
    bool range_ok = true;
    if (const auto if_range = request.header("If-Range"); !if_range.empty()) {
        range_ok = !live && (if_range == etag || if_range == last_modified);
    }
    std::uint64_t first = 0;
    std::uint64_t length = size;
    if (range_ok) {
        const auto range = parse_range(request.header("Range"), size);
        if (std::holds_alternative<UnsatisfiableRange>(range)) {
            throw HttpError(416,
                            cat("range not satisfiable for ", size,
                                " bytes: ", request.header("Range").substr(0, 100)),
                            {{"Content-Range", cat("bytes */", size)}});
        }
        if (const auto* br = std::get_if<ByteRange>(&range)) {
            first = br->first;
            length = br->length();
            r.status = 206;
            r.header("Content-Range", cat("bytes ", br->first, '-', br->last, '/', size));
        }
    }
    // A live file's patched header replaces its first bytes: the part of it inside the range
    // goes first, the file's own bytes after it.
    std::string prefix = first < overlay.size()
                             ? overlay.substr(first, static_cast<std::size_t>(length))
                             : std::string();
    const auto offset = first + prefix.size();
    const auto rest = length - prefix.size();
    r.body = FileBody{std::move(prefix), std::move(fd), offset, rest};
    return r;
}

} // namespace isr::web
