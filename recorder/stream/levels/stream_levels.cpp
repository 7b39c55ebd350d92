#include "recorder/stream/levels/stream_levels.hpp"

#include "recorder/stream/levels/stream_file_decoder.hpp"

namespace isr::rec {

StreamLevels::StreamLevels(std::filesystem::path analyses_dir, const Logger& log, TimedSink sink,
                           std::size_t queue_bytes)
    : log_(log), sink_(std::move(sink)), queue_(queue_bytes),
      levels_(std::move(analyses_dir), log_,
              sink_ ? RecordingLevels::WindowSink([this](float db) {
                  sink_(db, window_utc_);
                  window_utc_ += window_seconds_;
              })
                    : RecordingLevels::WindowSink()),
      thread_([this] { run(); }) {}

StreamLevels::~StreamLevels() {
    queue_.close();
    if (thread_.joinable())
        thread_.join();
}

void StreamLevels::file_opened(const std::filesystem::path& path, const std::string& name,
                               double start_utc) {
    dropping_ = false;
    queue_.begin(path, name, start_utc);
}

void StreamLevels::file_closed(const std::filesystem::path&, double seconds) {
    // A file with no audio was removed by its writer: its levels go with it.
    queue_.end(seconds > 0 ? FileBytesQueue::End::closed : FileBytesQueue::End::lost);
}

void StreamLevels::file_lost(const std::filesystem::path&) {
    queue_.end(FileBytesQueue::End::lost);
}

void StreamLevels::written(std::span<const std::uint8_t> bytes) {
    if (queue_.push(bytes) || dropping_)
        return;
    dropping_ = true;
    // Once per connection as a warning: a machine too slow for this once is slow every time.
    const auto dropped = ++dropped_files_;
    const auto text = "the levels decoder fell behind this stream: this file gets no record-time "
                      "levels (isr-web decodes it when asked); the recording is not affected";
    if (dropped == 1)
        log_.warning(text);
    else
        log_.debug(text);
}

void StreamLevels::run() noexcept {
    try {
        while (const auto start = queue_.next_file())
            decode_file(*start);
    } catch (const std::exception& e) {
        // Only allocation can end up here; the recording goes on without levels.
        log_.error("the levels decoder stopped: ", e.what(), "; the recording is not affected");
    }
}

void StreamLevels::decode_file(const FileBytesQueue::FileStart& start) {
    auto format = start.path.extension().string();
    if (!format.empty())
        format.erase(0, 1);
    int rate = 0;
    int channels = 0;
    bool consistent = true;
    const auto audio = [&](int r, int ch, const float* interleaved, std::size_t frames) {
        if (!consistent)
            return;
        if (rate == 0) {
            rate = r;
            channels = ch;
            levels_.begin(start.path, start.name, rate, channels);
            window_utc_ = start.start_utc;
            window_seconds_ = static_cast<double>(window_frames_at(rate)) / rate;
        } else if (r != rate || ch != channels) {
            // A chained stream changed its rate or channels inside the file: a levels file has
            // one of each.
            log_.debug("the audio of ", start.name, " changes from ", channels, " channels at ",
                       rate, " Hz to ", ch, " at ", r, ": no record-time levels for it");
            consistent = false;
            levels_.lose();
            return;
        }
        levels_.add(interleaved, frames);
    };
    const FileReader read = [&](std::uint8_t* out, std::size_t size) {
        return queue_.read(out, size);
    };
    try {
        decode_stream_file(format, start.name, read, audio);
    } catch (const std::exception& e) {
        levels_.lose();
        queue_.skip_rest();
        const auto how = queue_.ending();
        if (how == FileBytesQueue::End::dropped || how == FileBytesQueue::End::lost)
            return; // no bytes to decode: said when it was dropped, or nothing to say
        if (!decode_warned_)
            log_.warning("no record-time levels: ", e.what(),
                         " (the recording is not affected; isr-web decodes it when asked)");
        else
            log_.debug("no record-time levels: ", e.what());
        decode_warned_ = true;
        return;
    }
    // The demuxer stops at the end of the bytes, unless it gave up on them before: then the
    // levels would describe only part of the file.
    const bool whole = queue_.skip_rest() == 0;
    switch (queue_.ending()) {
    case FileBytesQueue::End::closed:
        if (!whole)
            levels_.lose();
        else if (levels_.active())
            levels_.end(levels_.frames());
        break;
    case FileBytesQueue::End::lost:
    case FileBytesQueue::End::dropped:
        levels_.lose();
        break;
    case FileBytesQueue::End::stopped:
        break; // isrd stops with the file open: its levels stay unfinished
    }
}

} // namespace isr::rec
