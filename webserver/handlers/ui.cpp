#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

namespace isr::web {

Response serve_ui(const Request& request, const App& app) {
    if (request.path.rfind("/api/", 0) == 0)
        throw HttpError(404, cat("no such endpoint: ", request.path));
    if (auto r = app.ui.serve(request))
        return std::move(*r);
    throw HttpError(404, cat("not found: ", request.path));
}

} // namespace isr::web
