#include "recorder/control/reply_mailbox.hpp"

#include "common/log.hpp"

#include <atomic>
#include <cerrno>
#include <system_error>

#include <sys/eventfd.h>
#include <unistd.h>

namespace isr::rec {

ReplyMailbox::ReplyMailbox() : event_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!event_)
        throw std::system_error(errno, std::generic_category(), "eventfd for the control socket");
}

void ReplyMailbox::post(Letter letter) noexcept {
    try {
        const std::lock_guard lock(mutex_);
        letters_.push_back(std::move(letter));
    } catch (...) {
        return;
    }
    wake();
}

void ReplyMailbox::wake() noexcept {
    const std::uint64_t one = 1;
    // Only EAGAIN can fail here (the counter near its maximum), and then it is readable anyway.
    [[maybe_unused]] const auto n = ::write(event_.get(), &one, sizeof(one));
}

std::vector<ReplyMailbox::Letter> ReplyMailbox::take() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(event_.get(), &count, sizeof(count));
    const std::lock_guard lock(mutex_);
    return std::exchange(letters_, {});
}

namespace {

// One request's answer, shared by every copy of its ReplyFn.
class ReplySlot {
public:
    ReplySlot(std::shared_ptr<ReplyMailbox> mailbox, std::uint64_t client, std::uint64_t seq)
        : mailbox_(std::move(mailbox)), client_(client), seq_(seq) {}
    ReplySlot(const ReplySlot&) = delete;
    ReplySlot& operator=(const ReplySlot&) = delete;
    ~ReplySlot() {
        if (answered_.load())
            return;
        try {
            mailbox_->post({client_, seq_,
                            Reply::failure("isrd dropped this command without answering; "
                                           "see its log")
                                .line()});
        } catch (...) {
            // No memory for the sentence: the client waits for its own timeout.
        }
    }

    void answer(const Reply& reply) {
        if (answered_.exchange(true)) {
            log::debug("", "control client ", client_, ": a second reply to one request ignored");
            return;
        }
        mailbox_->post({client_, seq_, reply.line()});
    }

private:
    std::shared_ptr<ReplyMailbox> mailbox_;
    std::uint64_t client_;
    std::uint64_t seq_;
    std::atomic<bool> answered_{false};
};

} // namespace

ReplyFn make_reply_fn(std::shared_ptr<ReplyMailbox> mailbox, std::uint64_t client,
                      std::uint64_t seq) {
    auto slot = std::make_shared<ReplySlot>(std::move(mailbox), client, seq);
    return [slot = std::move(slot)](Reply reply) { slot->answer(reply); };
}

} // namespace isr::rec
