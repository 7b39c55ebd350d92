#pragma once

#include "common/file_util.hpp"
#include "recorder/control/control_handler.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace isr::rec {

// Carries replies from whichever thread answers a command back to the control server's
// thread: a queue behind a mutex, and an eventfd that wakes the server's poll(). Every
// outstanding ReplyFn shares it with the server, so a reply that comes after the server has
// stopped lands here and is dropped with the last owner.
class ReplyMailbox {
public:
    // A reply line for request number `seq` of client `client`.
    struct Letter {
        std::uint64_t client = 0;
        std::uint64_t seq = 0;
        std::string line;
    };

    // Throws std::system_error when no eventfd can be made.
    ReplyMailbox();

    // The eventfd: readable while letters (or a wake-up) wait.
    int fd() const noexcept { return event_.get(); }

    // Any thread. A letter that cannot be queued (no memory) is dropped: its client then waits
    // for its own timeout, which beats ending isrd.
    void post(Letter letter) noexcept;
    // Any thread: makes fd() readable, so the server looks at its stop flag.
    void wake() noexcept;
    // Server thread: every letter posted so far; clears the wake-up.
    std::vector<Letter> take();

private:
    UniqueFd event_;
    std::mutex mutex_;
    std::vector<Letter> letters_;
};

// The ReplyFn for request `seq` of `client`. Its first call posts the reply; later calls are
// ignored; when every copy is gone without a call, it posts an error reply, so the client's
// pipeline moves on.
ReplyFn make_reply_fn(std::shared_ptr<ReplyMailbox> mailbox, std::uint64_t client,
                      std::uint64_t seq);

} // namespace isr::rec
