#include "recorder/control/control_server.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

namespace isr::rec {

namespace {

using namespace std::chrono_literals;

// After accept() fails for want of descriptors or memory, the listener stays readable; waiting
// this long instead of polling it again keeps the loop from spinning.
constexpr auto kAcceptPause = 200ms;

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

int poll_timeout_ms(std::chrono::steady_clock::time_point now,
                    std::optional<std::chrono::steady_clock::time_point> until) {
    if (!until)
        return -1;
    if (*until <= now)
        return 0;
    // Rounded up: waking a little early would only poll again with a zero timeout.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*until - now).count();
    return static_cast<int>(std::min<long long>(ms, 60'000));
}

void earliest(std::optional<std::chrono::steady_clock::time_point>& current,
              std::chrono::steady_clock::time_point candidate) {
    if (!current || candidate < *current)
        current = candidate;
}

} // namespace

ControlServer::ControlServer(std::filesystem::path path, ControlHandler& handler,
                             ControlLimits limits)
    : listener_(std::move(path)), handler_(handler), limits_(limits),
      mailbox_(std::make_shared<ReplyMailbox>()) {
    log::info("", "control socket listening on ", listener_.path().string());
}

ControlServer::~ControlServer() {
    stop();
}

void ControlServer::start() {
    if (!thread_.joinable())
        thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

void ControlServer::stop() noexcept {
    if (thread_.joinable()) {
        thread_.request_stop();
        mailbox_->wake();
        thread_.join();
    }
    clients_.clear();
    listener_.close();
}

void ControlServer::run(std::stop_token stop) noexcept {
    try {
        serve(stop);
    } catch (const std::exception& e) {
        log::error("", "control socket ", path().string(), " stopped working: ", e.what(),
                   "; isrd records on, but `isrd status` and the other commands cannot reach it "
                   "until isrd restarts");
    }
    clients_.clear();
}

void ControlServer::serve(const std::stop_token& stop) {
    std::optional<Clock::time_point> drain_until;
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> ids;
    for (;;) {
        auto now = Clock::now();
        if (stop.stop_requested() && !drain_until) {
            drain_until = now + limits_.drain_timeout;
            for (auto& [id, client] : clients_)
                client.end_input();
        }
        deliver(mailbox_->take());
        service_clients(now, !drain_until);
        if (drain_until) {
            const bool written = std::all_of(clients_.begin(), clients_.end(), [](const auto& c) {
                return c.second.unsent_bytes() == 0;
            });
            if (written || now >= *drain_until)
                return;
        }

        fds.clear();
        ids.clear();
        std::optional<Clock::time_point> wake_at = drain_until;
        fds.push_back({mailbox_->fd(), POLLIN, 0});
        const bool accepting = !drain_until && now >= accept_paused_until_;
        if (accepting)
            fds.push_back({listener_.fd(), POLLIN, 0});
        else if (!drain_until)
            earliest(wake_at, accept_paused_until_);
        for (const auto& [id, client] : clients_) {
            fds.push_back({client.fd(), poll_events(client, !drain_until), 0});
            ids.push_back(id);
            if (const auto deadline = client.deadline(limits_.idle_timeout))
                earliest(wake_at, *deadline);
        }
        if (::poll(fds.data(), fds.size(), poll_timeout_ms(now, wake_at)) < 0) {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        now = Clock::now();
        const std::size_t first_client = accepting ? 2 : 1;
        for (std::size_t i = 0; i < ids.size(); ++i)
            client_events(ids[i], fds[first_client + i].revents, now, !drain_until);
        if (accepting && (fds[1].revents & POLLIN))
            accept_clients(now);
    }
}

void ControlServer::accept_clients(Clock::time_point now) {
    for (;;) {
        UniqueFd fd(::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (accept_errors_.allow())
                log::error("", "control socket ", path().string(), ": accept: ", errno_text(errno),
                           "; refusing control clients for a moment");
            accept_paused_until_ = now + kAcceptPause;
            return;
        }
        if (clients_.size() >= limits_.max_clients)
            reap_departed(now);
        if (clients_.size() >= limits_.max_clients) {
            // Accepted only to say why: a client left in the backlog would just hang.
            const auto line = Reply::failure(cat("isrd already serves ", limits_.max_clients,
                                                 " control clients; try again later"))
                                  .line() +
                              '\n';
            [[maybe_unused]] const auto n =
                ::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (refusals_.allow())
                log::warning("", "control socket: refused a client, ", limits_.max_clients,
                             " are connected already (", refusals_.suppressed(),
                             " more refused since the last such message)");
            continue;
        }
        const auto id = next_client_++;
        clients_.try_emplace(id, std::move(fd), id, now);
        log::debug("", "control client ", id, " connected");
    }
}

short ControlServer::poll_events(const ControlConnection& client, bool taking) const {
    // Polled even with no events: POLLHUP tells that the client has gone.
    short events = 0;
    if (taking && client.wants_input(limits_.max_in_flight, limits_.max_line_bytes))
        events |= POLLIN;
    if (client.unsent_bytes() > 0)
        events |= POLLOUT;
    return events;
}

void ControlServer::client_events(std::uint64_t id, short revents, Clock::time_point now,
                                  bool taking) {
    const auto it = clients_.find(id);
    if (it == clients_.end())
        return;
    if ((revents & POLLIN) &&
        it->second.read(limits_.max_line_bytes) == ControlConnection::Read::gone) {
        clients_.erase(it);
        return;
    }
    if (revents & (POLLHUP | POLLERR)) {
        // Both directions closed: nobody will read the replies still to come, so the slot is
        // freed now rather than when they are ready. What it sent before closing is still
        // carried out (a script's fire-and-forget save).
        if (taking)
            take_requests(it->second, now);
        log::debug("", "control client ", id, " disconnected");
        clients_.erase(it);
    }
}

void ControlServer::reap_departed(Clock::time_point now) {
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> ids;
    fds.reserve(clients_.size());
    ids.reserve(clients_.size());
    for (const auto& [id, client] : clients_) {
        fds.push_back({client.fd(), poll_events(client, true), 0});
        ids.push_back(id);
    }
    if (::poll(fds.data(), fds.size(), 0) <= 0)
        return;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (fds[i].revents & (POLLHUP | POLLERR))
            client_events(ids[i], fds[i].revents, now, true);
    }
}

void ControlServer::deliver(std::vector<ReplyMailbox::Letter> letters) {
    for (auto& letter : letters) {
        // A client that has gone meanwhile is no longer in the map: its reply is dropped.
        if (const auto it = clients_.find(letter.client); it != clients_.end())
            it->second.answer(letter.seq, std::move(letter.line));
    }
}

void ControlServer::take_requests(ControlConnection& client, Clock::time_point now) {
    std::string line;
    while (client.in_flight() < limits_.max_in_flight) {
        const auto got = client.take_line(limits_.max_line_bytes, line);
        if (got == ControlConnection::Line::none)
            return;
        if (got == ControlConnection::Line::too_long) {
            const auto seq = client.open_request(now);
            client.end_input();
            mailbox_->post({client.id(), seq,
                            Reply::failure(cat("request line longer than ", limits_.max_line_bytes,
                                               " bytes; a request is one JSON object on one line"))
                                .line()});
            if (closures_.allow())
                log::warning("", "control client ", client.id(), " sent a line longer than ",
                             limits_.max_line_bytes, " bytes; closing it");
            return;
        }
        // Blank lines cost nothing and may come from someone typing into socat.
        if (trim(line).empty())
            continue;
        dispatch(client, client.open_request(now), line);
    }
}

void ControlServer::dispatch(ControlConnection& client, std::uint64_t seq,
                             const std::string& line) {
    // Every answer, even a parse error given right here, goes through the mailbox: one path, and
    // the eventfd wakes the loop to write it.
    auto reply = make_reply_fn(mailbox_, client.id(), seq);
    Command command;
    try {
        command = parse_command(line);
    } catch (const ProtocolError& e) {
        log::debug("", "control client ", client.id(), ": refused a request: ", e.what());
        reply(Reply::failure(e.what()));
        return;
    }
    log::debug("", "control client ", client.id(), ": ", command_name(command));
    try {
        handler_.handle(command, reply);
    } catch (const std::exception& e) {
        log::warning("", "control command ", command_name(command), " failed: ", e.what());
        reply(Reply::failure(e.what()));
    } catch (...) {
        reply(Reply::failure("isrd failed to handle this command; see its log"));
    }
}

void ControlServer::service_clients(Clock::time_point now, bool take) {
    for (auto it = clients_.begin(); it != clients_.end();) {
        it = keep_client(it->second, now, take) ? std::next(it) : clients_.erase(it);
    }
}

bool ControlServer::keep_client(ControlConnection& client, Clock::time_point now, bool take) {
    // Writing first frees room in the pipeline for the requests taken next.
    if (client.flush(now) == ControlConnection::Write::gone) {
        log::debug("", "control client ", client.id(), " left before its reply");
        return false;
    }
    if (client.unsent_bytes() > limits_.max_unsent_bytes) {
        if (closures_.allow())
            log::warning("", "control client ", client.id(), " leaves its replies unread (",
                         client.unsent_bytes(), " bytes waiting); closing it");
        return false;
    }
    if (take)
        take_requests(client, now);
    if (client.finished()) {
        log::debug("", "control client ", client.id(), " done");
        return false;
    }
    if (const auto deadline = client.deadline(limits_.idle_timeout); deadline && now >= *deadline) {
        if (closures_.allow())
            log::info("", "control client ", client.id(), " sent no request for ",
                      fixed(static_cast<double>(limits_.idle_timeout.count()) / 1000, 1),
                      " s; closing it");
        return false;
    }
    return true;
}

} // namespace isr::rec
