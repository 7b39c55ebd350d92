#include "webserver/response.hpp"

#include "common/json.hpp"
#include "common/strings.hpp"
#include "webserver/archive/recordings_root.hpp"
#include "webserver/http_error.hpp"
#include "webserver/request.hpp"

namespace isr::web {

Response json_response(std::string json, int status) {
    Response r;
    r.status = status;
    r.body = std::move(json);
    r.header("Content-Type", "application/json; charset=utf-8");
    r.header("Cache-Control", "no-store");
    return r;
}

Response json_error(int status, std::string_view message) {
    JsonWriter w;
    w.begin_object().member("error", message).end_object();
    return json_response(w.str(), status);
}

std::string content_disposition(bool attachment, std::string_view filename) {
    std::string ascii;
    for (const char c : filename)
        ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '_';
    return cat(attachment ? "attachment" : "inline", "; filename=\"", ascii,
               "\"; filename*=UTF-8''", percent_encode_path(filename));
}

std::string no_such_recording(std::string_view name) {
    return RecordingsRoot::safe_name(name) ? "no such recording: " + std::string(name)
                                           : "no such recording";
}

} // namespace isr::web
