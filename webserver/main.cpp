// isr-web: the archive server. Serves the recordings directory read-only: a web UI and a JSON
// API. See README.md ("HTTP API").
#include "common/log.hpp"
#include "webserver/analyze_cli.hpp"
#include "webserver/app.hpp"
#include "webserver/routes.hpp"
#include "webserver/server.hpp"
#include "webserver/server_options.hpp"

extern "C" {
#include <libavutil/log.h>
}

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

using namespace isr;

int main(int argc, char** argv) {
    // A client that goes away while sendfile(2) writes to it would raise SIGPIPE (sendfile has no
    // MSG_NOSIGNAL) and end the server; we handle EPIPE as the error it is instead.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "analyze") {
        av_log_set_level(AV_LOG_ERROR);
        return web::run_analyze_cli({args.begin() + 1, args.end()});
    }
    const auto parsed = web::parse_server_options(args);
    if (!parsed.options) {
        (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.output;
        return parsed.exit_code;
    }
    log::set_level(parsed.options->log_level);
    // libav's own chatter ("Estimating duration from bitrate") is not for our users' logs.
    av_log_set_level(AV_LOG_ERROR);
    try {
        web::App app(*parsed.options);
        app.prune_orphans();
        const auto router = web::make_router(app);
        return web::Server(app, router).run();
    } catch (const std::exception& e) {
        log::critical("web", e.what());
        return 1;
    }
}
