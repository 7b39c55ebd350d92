#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace isr::web {

// Hands a body produced on a worker thread (a clip being decoded, a cut being muxed) to the
// connection sending it, a few chunks at a time: the producer blocks while the client reads
// slowly, and learns when the client is gone so it can stop.
class ChunkChannel {
public:
    // (chunk) with data, or (nullopt, failed) at the end: failed when the producer gave up.
    using Consumer = std::function<void(std::optional<std::string> chunk, bool failed)>;
    // Runs a consumer callback on the connection's own executor.
    using Poster = std::function<void(std::function<void()>)>;

    // `stall`: how long push() waits for room before it concludes the consumer is gone. The
    // connection closes a client that reads nothing for a minute and cancels the channel then;
    // this is the producer's own guarantee that it never waits for ever, whatever happens.
    explicit ChunkChannel(std::size_t capacity = 8,
                          std::chrono::steady_clock::duration stall = std::chrono::seconds(90))
        : capacity_(capacity), stall_(stall) {}

    // Producer side (worker thread). Blocks while the channel is full. Returns false when the
    // consumer cancelled or took nothing for the stall time: stop producing.
    bool push(std::string chunk);
    // Ends the body. `failed`: the body is incomplete (the connection will be closed).
    void finish(bool failed = false);

    // Consumer side: delivers the next chunk through `post`, now or when it is produced.
    void async_pop(Consumer consumer, Poster post);
    // The consumer is gone (client disconnected, HEAD, shutdown): wakes and stops the producer.
    void cancel();
    bool cancelled() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable space_;
    std::deque<std::string> chunks_;
    std::size_t capacity_;
    std::chrono::steady_clock::duration stall_;
    bool finished_ = false;
    bool failed_ = false;
    bool cancelled_ = false;
    Consumer waiting_;
    Poster post_;
};

} // namespace isr::web
