#pragma once

#include "common/levels/levels.hpp"
#include "common/levels/levels_file.hpp"
#include "common/log.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace isr::rec {

// The levels of the recordings of one source, computed from the audio as it goes into them and
// written to "<analyses>/<recording>.levels" (common/levels/levels_file.hpp): appended about
// once a second while the file grows, completed with the file's key when it closes. isr-web
// reads them instead of decoding the file again.
//
// Errors writing a levels file are logged once per file and cost only that file's levels (the
// recording is never affected); isr-web then decodes it as before. Used from one thread.
class RecordingLevels {
public:
    // Every window of every file, as it is completed (the live event detector); may be empty.
    using WindowSink = std::function<void(float db)>;

    // An empty `analyses_dir` writes no files: the windows only go to `sink`.
    RecordingLevels(std::filesystem::path analyses_dir, const Logger& log, WindowSink sink = {});
    ~RecordingLevels();
    RecordingLevels(const RecordingLevels&) = delete;
    RecordingLevels& operator=(const RecordingLevels&) = delete;

    // A recording began at `path` (`name` relative to the recordings folder). Its audio comes
    // at `rate` Hz in `channels` channels. Ends the previous one as lost if it was not ended.
    void begin(const std::filesystem::path& path, const std::string& name, int rate, int channels);
    // Audio of the current recording, interleaved, full scale ±1, exactly as a decoder of the
    // file will read it back. Ignored when no recording is current.
    void add(const float* interleaved, std::size_t frames);
    // The recording was closed holding `frames` frames. Completes the levels file with the
    // file's size and mtime; when the file keeps less than was measured (cut back after a
    // failed write) it is abandoned instead.
    void end(std::int64_t frames);
    // The levels are wrong for the recording (it is gone, or its audio did not decode): the
    // levels file is removed.
    void lose();
    // The recording's writing failed (a full disk): the levels file stays as it is, unfinished.
    // isr-web uses it only as far as the recording goes, and it is not removed, because that
    // would hand its blocks to the recording mid-episode and make a runt file of a retry.
    void abandon() noexcept;

    bool active() const noexcept { return accumulator_.has_value(); }
    // Frames added to the current recording.
    std::int64_t frames() const noexcept { return accumulator_ ? accumulator_->frames() : 0; }

    // Windows are written at least this often (and whenever 10 s of them are waiting).
    static constexpr double kAppendSeconds = 1.0;

private:
    void flush();
    void failed(const std::exception& e);
    void reset() noexcept;

    std::filesystem::path dir_;
    const Logger& log_;
    WindowSink sink_;
    std::filesystem::path recording_;
    std::string name_;
    std::optional<WindowAccumulator> accumulator_;
    std::optional<LevelsAppender> appender_;
    std::vector<float> pending_; // windows not yet written
    std::int64_t pending_frames_ = 0;
    std::int64_t append_frames_ = 0; // frames between appends
    bool warned_ = false;            // a levels file failed, and none was completed since
};

} // namespace isr::rec
