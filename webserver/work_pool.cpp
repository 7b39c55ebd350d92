#include "webserver/work_pool.hpp"

#include "common/log.hpp"

namespace isr::web {

WorkPool::WorkPool(std::string name, int threads) : name_(std::move(name)) {
    for (int i = 0; i < threads; ++i)
        threads_.emplace_back([this] { run(); });
}

WorkPool::~WorkPool() {
    stop();
}

void WorkPool::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
}

std::size_t WorkPool::queued() const {
    std::lock_guard lock(mutex_);
    return jobs_.size();
}

void WorkPool::stop(bool drop_queued) noexcept {
    std::deque<std::function<void()>> dropped; // destroyed outside the lock
    {
        std::lock_guard lock(mutex_);
        if (drop_queued)
            dropped.swap(jobs_);
        if (stopping_)
            return;
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable())
            t.join();
    }
}

void WorkPool::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty())
                return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            job();
        } catch (const std::exception& e) {
            log::error("web", name_, " job failed: ", e.what());
        }
    }
}

} // namespace isr::web
