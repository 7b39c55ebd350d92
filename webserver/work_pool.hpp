#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace isr::web {

// A fixed set of threads for blocking work (directory walks, decoding, analysis), so the I/O
// threads only move bytes. Jobs run in FIFO order; a job's exceptions are the job's business.
class WorkPool {
public:
    WorkPool(std::string name, int threads);
    ~WorkPool(); // finishes queued jobs, then joins

    void post(std::function<void()> job);
    std::size_t queued() const;
    // Joins the threads after they finish the running jobs and, unless `drop_queued`, the queued
    // ones. Jobs posted afterwards are dropped.
    void stop(bool drop_queued = false) noexcept;

private:
    void run();

    std::string name_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace isr::web
