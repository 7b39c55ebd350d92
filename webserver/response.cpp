#include "webserver/response.hpp"

#include "common/json.hpp"
#include "webserver/archive/recordings_root.hpp"
#include "webserver/http_error.hpp"

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

std::string no_such_recording(std::string_view name) {
    return RecordingsRoot::safe_name(name) ? "no such recording: " + std::string(name) : "no such recording";
}

} // namespace isr::web
