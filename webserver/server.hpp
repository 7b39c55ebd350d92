#pragma once

#include "webserver/app.hpp"
#include "webserver/router.hpp"

namespace isr::web {

// isr-web's process: one io_context run by a few threads, listening on the sockets systemd
// passed (LISTEN_FDS) or on --bind:--port; SIGTERM/SIGINT stop accepting, let responses in
// flight finish for up to 5 s, then close what is left; --idle-exit ends the process after that
// long without a connection, so socket activation can start it again on demand.
class Server {
public:
    Server(App& app, const Router& router) : app_(app), router_(router) {}

    // Blocks until shutdown. Returns the exit code (0 clean, 1 when it cannot listen).
    int run();

private:
    App& app_;
    const Router& router_;
};

// Sockets passed by systemd socket activation (LISTEN_PID/LISTEN_FDS), or none.
std::vector<int> systemd_listen_fds();

} // namespace isr::web
