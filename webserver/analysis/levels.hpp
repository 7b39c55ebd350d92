#pragma once

#include "common/levels/levels.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <vector>

namespace isr::web {

class WorkPool;

// Decodes a recording into Levels on `pool`. When the decoder seeks to the exact frame and the
// length is known, the file is cut into `parts` runs of whole windows decoded in parallel (FLAC,
// WAV, MP3, Vorbis, Opus); otherwise one part decodes it all (AAC). Memory: one read buffer per
// part plus four bytes per window decoded; nothing is sized from what the file's header claims.
class LevelsComputation {
public:
    // Opens the file (throws std::runtime_error naming it) and posts the parts to `pool`.
    // `prefix`: the levels of the file's first frames, known already (an unfinished levels
    // file isrd left behind); when the decoder seeks exactly and the prefix fits the file (same
    // rate and channels, no longer than it), only the rest is decoded. Otherwise it is ignored
    // and the whole file decoded (AAC).
    static std::shared_ptr<LevelsComputation> start(const std::filesystem::path& path,
                                                    WorkPool& pool, int parts,
                                                    const Levels* prefix = nullptr);

    // Blocks until done. Throws the decoding error, if any.
    std::shared_ptr<const Levels> get() const { return result_.get(); }
    bool done() const {
        return result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    }
    double progress() const noexcept;
    // The frame decoding started at: the prefix's frames when it was used, else 0.
    std::int64_t resumed_at() const noexcept { return resumed_at_; }
    // Frames decoded so far (the prefix's are not).
    std::int64_t frames_decoded() const noexcept { return frames_done_.load(); }
    // Asks the parts to stop early (the result is then an error).
    void cancel() noexcept { cancelled_ = true; }

private:
    struct Part {
        std::int64_t first_window;
        std::int64_t end_window; // exclusive; the last part reads to the end of the file
        std::vector<float> db;   // the windows it decoded, grown as they come
        std::exception_ptr error;
        bool known = false; // the prefix: nothing to decode
    };
    void run_part(std::size_t index);
    void finish_part();

    std::filesystem::path path_;
    int rate_ = 0;
    int channels_ = 0;
    std::int64_t window_frames_ = 0;
    std::int64_t expected_frames_ = 0; // to decode
    std::int64_t resumed_at_ = 0;
    std::vector<Part> parts_; // each written by its own job until it finishes
    std::atomic<std::int64_t> frames_done_{0};
    std::atomic<std::size_t> parts_left_{0};
    std::atomic<bool> cancelled_{false};
    std::promise<std::shared_ptr<const Levels>> promise_;
    std::shared_future<std::shared_ptr<const Levels>> result_;
};

// Decodes on the calling thread (no pool), for tools and tests.
std::shared_ptr<const Levels> compute_levels(const std::filesystem::path& path);

} // namespace isr::web
