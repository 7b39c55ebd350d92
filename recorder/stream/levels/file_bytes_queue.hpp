#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace isr::rec {

// The bytes of a stream's recordings on their way from the stream thread (which writes them to
// the files) to the thread that decodes them for their levels, with a mark where each file
// begins and ends. Bounded: the stream thread never waits for the decoder; when a file's bytes
// do not fit, that file's levels are given up (the decoder sees it end as `dropped`) and the
// rest of its bytes are ignored, so the next file starts whole. Thread-safe: one producer, one
// consumer.
class FileBytesQueue {
public:
    // How a file's bytes ended, as the consumer sees it.
    enum class End {
        closed,  // the recording was closed and keeps its audio
        lost,    // it was deleted, emptied or cut short: its levels must go
        dropped, // its bytes did not fit in the queue
        stopped, // no more input (close()) before its end: it stays unfinished
    };
    struct FileStart {
        std::filesystem::path path;
        std::string name;     // relative to the recordings folder
        double start_utc = 0; // when its first audio was captured
    };

    // `capacity`: bytes queued at most.
    explicit FileBytesQueue(std::size_t capacity) : capacity_(capacity) {}

    // --- producer: never blocks
    // A file begins (a file still open ends as lost).
    void begin(std::filesystem::path path, std::string name, double start_utc = 0);
    // Bytes of the current file. False when they did not fit: the file is dropped (also false
    // for every later push until the next begin()). Bytes outside a file are ignored.
    bool push(std::span<const std::uint8_t> bytes);
    // The current file ends (`how`: closed or lost).
    void end(End how);
    // No more input: the consumer still gets what is queued, then the end of everything.
    void close();

    // --- consumer: may block
    // Waits for the next file to begin, skipping what is left of the current one; nullopt once
    // the queue is closed and empty.
    std::optional<FileStart> next_file();
    // Copies up to `size` bytes of the current file, waiting for them; 0 at its end.
    std::size_t read(std::uint8_t* out, std::size_t size);
    // Skips the rest of the current file's bytes, waiting for its end; returns how many.
    std::size_t skip_rest();
    // How the current file ended, once read() gave 0 or skip_rest() returned.
    End ending() const;

    // Bytes the consumer waits for before it is woken (a marker or close() wakes it at once):
    // a decoder woken for every MP3 frame would cost more than it decodes.
    static constexpr std::size_t kWakeBytes = 8 * 1024;

private:
    struct Item {
        enum class Kind { begin, bytes, end } kind;
        std::vector<std::uint8_t> bytes;
        FileStart start; // begin
        End how{};       // end
    };
    void put(Item item);

    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Item> items_;
    std::size_t capacity_;
    std::size_t queued_ = 0;   // bytes in items_
    std::size_t unwoken_ = 0;  // bytes pushed since the consumer was last woken
    std::size_t front_at_ = 0; // bytes of the front item already read
    bool closed_ = false;
    // Producer side.
    bool producing_ = false; // a file is open (begin() without end())
    bool dropping_ = false;  // its bytes no longer fit
    // Consumer side.
    bool reading_ = false; // inside a file whose end was not reached
    End ending_ = End::stopped;
};

} // namespace isr::rec
