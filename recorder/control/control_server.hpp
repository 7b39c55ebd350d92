#pragma once

#include "common/log.hpp"
#include "recorder/control/control_connection.hpp"
#include "recorder/control/control_handler.hpp"
#include "recorder/control/reply_mailbox.hpp"
#include "recorder/control/unix_listener.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

namespace isr::rec {

// What one control client may cost isrd. The defaults are the documented limits; tests
// shorten them.
struct ControlLimits {
    // A request line longer than this gets an error reply, then the connection is closed.
    std::size_t max_line_bytes = kMaxControlLineBytes;
    // Clients connected at once; a newcomer beyond gets an error line and is closed.
    std::size_t max_clients = 64;
    // Requests of one connection being handled at once (pipelining depth); more lines wait in
    // the socket until earlier ones are answered.
    std::size_t max_in_flight = 16;
    // Replies a client leaves unread beyond what its socket holds; beyond this it is closed.
    std::size_t max_unsent_bytes = 1024 * 1024;
    // A client that sends no complete line (or reads nothing of its replies) for this long, while
    // no command of its is being handled, is closed.
    std::chrono::milliseconds idle_timeout{30'000};
    // On stop(), how long replies already given may still be written out.
    std::chrono::milliseconds drain_timeout{1'000};
};

// isrd's control socket: a Unix stream socket server on a thread of its own (a poll() loop
// over non-blocking sockets), reading one JSON request per line from each client and passing
// each command to a ControlHandler. Replies may come later and from any thread; each
// connection gets them in the order of its requests, and a slow command never holds up other
// clients.
class ControlServer {
public:
    // Creates the socket at `path` (see UnixListener: mode 0660, a stale socket replaced, a
    // live one or a non-socket refused) and listens; clients wait in the backlog until start().
    // `handler` must outlive the server. Throws std::runtime_error or std::system_error with a
    // sentence naming the path.
    ControlServer(std::filesystem::path path, ControlHandler& handler, ControlLimits limits = {});
    // stop(), then removes the socket file if it is still ours.
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Starts the server thread. Call once, after the caller has blocked the signals its main
    // thread waits for (the thread inherits the mask).
    void start();
    // Stops reading requests, writes the replies already given (for at most drain_timeout),
    // closes every connection, joins the thread and removes the socket file. The handler is not
    // called once stop() returns. Idempotent; from any thread but the server's own.
    void stop() noexcept;

    const std::filesystem::path& path() const noexcept { return listener_.path(); }

private:
    using Clock = ControlConnection::Clock;

    void run(std::stop_token stop) noexcept;
    void serve(const std::stop_token& stop);
    void accept_clients(Clock::time_point now);
    // What to poll a client for; `taking` is false while stopping.
    short poll_events(const ControlConnection& client, bool taking) const;
    // Reads what poll() found, and drops a client that has hung up once its last requests are
    // handed on.
    void client_events(std::uint64_t id, short revents, Clock::time_point now, bool taking);
    // Before a newcomer is refused for want of room: drops the clients that have already hung
    // up but whose hangup this loop has not seen yet (a burst of connect-ask-close clients
    // accepted in one go would otherwise hold every slot).
    void reap_departed(Clock::time_point now);
    void deliver(std::vector<ReplyMailbox::Letter> letters);
    // Hands the client's complete lines to the handler, as far as its pipeline has room.
    void take_requests(ControlConnection& client, Clock::time_point now);
    void dispatch(ControlConnection& client, std::uint64_t seq, const std::string& line);
    // Writes every client's replies, takes its requests (when `take`), and closes clients
    // that are done, gone, idle or over a limit.
    void service_clients(Clock::time_point now, bool take);
    bool keep_client(ControlConnection& client, Clock::time_point now, bool take);

    UnixListener listener_;
    ControlHandler& handler_;
    ControlLimits limits_;
    std::shared_ptr<ReplyMailbox> mailbox_;
    std::jthread thread_;

    // Server thread only.
    std::map<std::uint64_t, ControlConnection> clients_;
    std::uint64_t next_client_ = 1;
    Clock::time_point accept_paused_until_{};
    RateLimit refusals_{std::chrono::minutes(1)};
    RateLimit accept_errors_{std::chrono::minutes(1)};
    RateLimit closures_{std::chrono::minutes(1)};
};

} // namespace isr::rec
