#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace isr::web {

// Hands a body produced on a worker thread (a clip being decoded) to the connection sending it,
// a few chunks at a time: the producer blocks when the client reads slowly, and learns when the
// client is gone so it can stop decoding.
class ChunkChannel {
public:
    // (chunk) with data, or (nullopt, failed) at the end: failed when the producer gave up.
    using Consumer = std::function<void(std::optional<std::string> chunk, bool failed)>;
    // Runs a consumer callback on the connection's own executor.
    using Poster = std::function<void(std::function<void()>)>;

    explicit ChunkChannel(std::size_t capacity = 8) : capacity_(capacity) {}

    // Producer side (worker thread). Blocks while the channel is full. Returns false when the
    // consumer cancelled: stop producing.
    bool push(std::string chunk);
    // Ends the body. `failed`: the body is incomplete (the connection will be closed).
    void finish(bool failed = false);

    // Consumer side: delivers the next chunk through `post`, now or when it is produced.
    void async_pop(Consumer consumer, Poster post);
    // The consumer is gone (client disconnected): wakes and stops the producer.
    void cancel();

private:
    std::mutex mutex_;
    std::condition_variable space_;
    std::deque<std::string> chunks_;
    std::size_t capacity_;
    bool finished_ = false;
    bool failed_ = false;
    bool cancelled_ = false;
    Consumer waiting_;
    Poster post_;
};

} // namespace isr::web
