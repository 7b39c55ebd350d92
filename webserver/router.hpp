#pragma once

#include "webserver/request.hpp"
#include "webserver/response.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace isr::web {

using Params = std::vector<std::string>;
using Handler = std::function<Response(const Request&, const Params&)>;

// Where a handler runs: on the I/O thread (quick, bounded work: a stat and an open), on the
// work pool (directory walks, deletes, waiting for analyses), or on the media pool (clips and
// cuts, kept apart from analyses so a day's highlights never delay playback).
enum class Runs { inline_io, work_pool, media_pool };

struct Route {
    Method method;
    std::string pattern; // "/api/files", "/stream/{path*}": a trailing {path*} takes the rest
    Handler handle;
    Runs runs = Runs::inline_io;
};

// Runs before every handler of a route that changes state (any method but GET and HEAD);
// throws HttpError to refuse the request.
using Guard = std::function<void(const Request&)>;

// The one route table. GET routes answer HEAD too. Pure: no I/O, testable alone.
class Router {
public:
    explicit Router(std::vector<Route> routes, Guard state_change = {})
        : routes_(std::move(routes)), state_change_(std::move(state_change)) {}

    struct Match {
        const Route* route = nullptr; // null: no route
        Params params;
        std::vector<std::string> allowed; // when the path exists under other methods (405)
    };
    Match match(Method method, std::string_view path) const;

    // Runs the matching route and turns HttpError into its JSON error, other exceptions into a
    // logged 500, a missing route into 404 and a wrong method into 405. Never throws.
    Response handle(const Request& request, const Match& match) const noexcept;

private:
    std::vector<Route> routes_;
    Guard state_change_;
};

} // namespace isr::web
