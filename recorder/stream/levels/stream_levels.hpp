#pragma once

#include "common/log.hpp"
#include "recorder/levels/recording_levels.hpp"
#include "recorder/stream/levels/file_bytes_queue.hpp"
#include "recorder/writer/splitter.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <thread>

namespace isr::rec {

// The record-time levels of a stream's recordings (README "Recording streams"): every file's
// bytes, as written, are decoded on a thread of their own by a fresh libav demuxer and decoder
// (stream_file_decoder.hpp), so the levels are those of the file as any decoder reads it back,
// and RecordingLevels writes them next to the PCM sources' ones.
//
// The stream thread tells it of each file (as the Splitter's listener) and hands it the bytes
// written; it never waits: the bytes go through a bounded queue (FileBytesQueue), and a file
// whose bytes do not fit (the decoder fell behind) gets no levels, logged once, isr-web decoding
// it when asked. Bytes that do not decode cost that file its levels (one warning per
// connection) and never the recording.
class StreamLevels final : public Splitter::Listener {
public:
    // Every window's level and the UTC time its audio began (its file's first audio plus the
    // windows before it): the live event detector.
    using TimedSink = std::function<void(float db, double start_utc)>;

    // Starts the decoder thread. Levels files go to `analyses_dir` (empty: none are written);
    // `sink` (may be empty) is given every window, on the decoder thread. `queue_bytes`: see
    // FileBytesQueue.
    StreamLevels(std::filesystem::path analyses_dir, const Logger& log, TimedSink sink = {},
                 std::size_t queue_bytes = kQueueBytes);
    // Decodes what is queued, then joins: a file that was closed has complete levels, one still
    // open is left unfinished (isr-web finishes it). noexcept.
    ~StreamLevels() override;
    StreamLevels(const StreamLevels&) = delete;
    StreamLevels& operator=(const StreamLevels&) = delete;

    // Splitter::Listener, on the stream thread.
    void file_opened(const std::filesystem::path& path, const std::string& name,
                     double start_utc) override;
    void file_closed(const std::filesystem::path& path, double seconds) override;
    void file_lost(const std::filesystem::path& path) override;
    // Bytes just written to the current file (headers included), on the stream thread.
    void written(std::span<const std::uint8_t> bytes);

    // Files whose levels were given up because the decoder fell behind (status, tests).
    std::uint64_t dropped_files() const noexcept { return dropped_files_; }

    // About 2 minutes of a 128 kbit/s stream, 16 s of a FLAC one.
    static constexpr std::size_t kQueueBytes = 2 << 20;

private:
    void run() noexcept;
    void decode_file(const FileBytesQueue::FileStart& start);

    Logger log_;
    TimedSink sink_;
    double window_utc_ = 0;     // the decoder thread's: when the next window's audio began
    double window_seconds_ = 0; // the decoder thread's
    FileBytesQueue queue_;
    RecordingLevels levels_; // the decoder thread's
    bool dropping_ = false;  // the stream thread's: the current file was dropped
    std::atomic<std::uint64_t> dropped_files_{0};
    bool decode_warned_ = false; // the decoder thread's
    std::jthread thread_;        // last: started once the rest is built
};

} // namespace isr::rec
