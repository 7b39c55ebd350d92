#include "webserver/webui_assets.hpp"

#include "common/file_util.hpp"
#include "common/strings.hpp"
#include "webserver/archive/recordings_root.hpp"
#include "webserver/etag.hpp"

#include <cstdio>

namespace isr::web {

namespace {

std::string content_etag(std::string_view data) {
    std::uint64_t h = 1469598103934665603ull; // FNV-1a
    for (const char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace

std::string_view content_type_for_asset(std::string_view path) noexcept {
    const auto ends = [&path](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".html"))
        return "text/html; charset=utf-8";
    if (ends(".js"))
        return "text/javascript; charset=utf-8";
    if (ends(".css"))
        return "text/css; charset=utf-8";
    if (ends(".svg"))
        return "image/svg+xml";
    if (ends(".png"))
        return "image/png";
    if (ends(".ico"))
        return "image/x-icon";
    if (ends(".json") || ends(".webmanifest"))
        return "application/json";
    return "application/octet-stream";
}

WebUi::WebUi(std::optional<std::filesystem::path> dir) : dir_(std::move(dir)) {
    for (const auto& asset : builtin_webui_assets()) {
        builtin_.emplace(std::string(asset.path), File{{}, asset.data, content_etag(asset.data)});
    }
}

std::optional<Response> WebUi::serve(const Request& request) const {
    std::string path = request.path == "/" ? "/index.html" : request.path;
    File file;
    if (dir_) {
        if (!RecordingsRoot::safe_name(std::string_view(path).substr(1)))
            return std::nullopt;
        try {
            file.data = read_small_file(*dir_ / path.substr(1));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        file.view = file.data;
        file.etag = content_etag(file.data);
    } else {
        const auto it = builtin_.find(path);
        if (it == builtin_.end())
            return std::nullopt;
        file = it->second;
    }
    Response r;
    r.header("Content-Type", std::string(content_type_for_asset(path)));
    r.header("Cache-Control", "no-cache");
    r.header("ETag", file.etag);
    if (path == "/index.html") {
        // The UI only talks to its own origin.
        r.header("Content-Security-Policy",
                 "default-src 'self'; media-src 'self' blob:; img-src 'self' data:; "
                 "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    }
    if (none_match_hits(request.header("If-None-Match"), file.etag)) {
        r.status = 304;
        return r;
    }
    r.body = std::string(file.view);
    return r;
}

} // namespace isr::web
