#include "webserver/chunk_channel.hpp"

namespace isr::web {

bool ChunkChannel::push(std::string chunk) {
    Consumer consumer;
    Poster post;
    {
        std::unique_lock lock(mutex_);
        if (!space_.wait_for(lock, stall_, [this] {
                return cancelled_ || chunks_.size() < capacity_ || waiting_;
            })) {
            cancelled_ = true; // nobody has taken a chunk for the stall time: the consumer is gone
            chunks_.clear();
        }
        if (cancelled_)
            return false;
        if (waiting_) {
            consumer = std::move(waiting_);
            post = std::move(post_);
            waiting_ = nullptr;
        } else {
            chunks_.push_back(std::move(chunk));
            return true;
        }
    }
    post([consumer = std::move(consumer), chunk = std::move(chunk)]() mutable {
        consumer(std::move(chunk), false);
    });
    return true;
}

void ChunkChannel::finish(bool failed) {
    Consumer consumer;
    Poster post;
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
        failed_ = failed;
        if (waiting_ && chunks_.empty()) {
            consumer = std::move(waiting_);
            post = std::move(post_);
            waiting_ = nullptr;
        }
    }
    if (consumer)
        post([consumer = std::move(consumer), failed] { consumer(std::nullopt, failed); });
}

void ChunkChannel::async_pop(Consumer consumer, Poster post) {
    std::optional<std::string> chunk;
    bool end = false;
    bool failed = false;
    {
        std::lock_guard lock(mutex_);
        if (!chunks_.empty()) {
            chunk = std::move(chunks_.front());
            chunks_.pop_front();
        } else if (finished_) {
            end = true;
            failed = failed_;
        } else {
            waiting_ = std::move(consumer);
            post_ = std::move(post);
        }
    }
    if (chunk) {
        space_.notify_one();
        post([consumer = std::move(consumer), chunk = std::move(chunk)]() mutable {
            consumer(std::move(chunk), false);
        });
    } else if (end) {
        post([consumer = std::move(consumer), failed] { consumer(std::nullopt, failed); });
    } else {
        space_.notify_one(); // a producer waiting for room may hand its chunk over directly
    }
}

bool ChunkChannel::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

void ChunkChannel::cancel() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
        chunks_.clear();
        waiting_ = nullptr;
        post_ = nullptr;
    }
    space_.notify_all();
}

} // namespace isr::web
