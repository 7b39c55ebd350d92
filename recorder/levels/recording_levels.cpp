#include "recorder/levels/recording_levels.hpp"

#include "common/analysis_cache_paths.hpp"

#include <cmath>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace fs = std::filesystem;

RecordingLevels::RecordingLevels(fs::path analyses_dir, const Logger& log, WindowSink sink)
    : dir_(std::move(analyses_dir)), log_(log), sink_(std::move(sink)) {}

RecordingLevels::~RecordingLevels() {
    // isrd stops with the file open: what was computed stays, unfinished (isr-web completes it).
    flush();
}

void RecordingLevels::begin(const fs::path& path, const std::string& name, int rate, int channels) {
    if (accumulator_)
        abandon();
    recording_ = path;
    name_ = name;
    accumulator_.emplace(rate, channels);
    append_frames_ = std::max<std::int64_t>(1, std::llround(rate * kAppendSeconds));
    pending_frames_ = 0;
    if (dir_.empty())
        return; // windows for the sink only (levels = no, live_events = yes)
    struct stat st {};
    try {
        if (::stat(path.c_str(), &st) != 0)
            throw std::system_error(errno, std::generic_category(), "stat " + path.string());
        appender_.emplace(levels_path(dir_, name), rate, channels,
                          static_cast<std::uint64_t>(st.st_ino));
    } catch (const std::exception& e) {
        failed(e);
    }
}

void RecordingLevels::add(const float* interleaved, std::size_t frames) {
    if (!accumulator_)
        return;
    const auto before = pending_.size();
    accumulator_->add(interleaved, frames, pending_);
    if (sink_) {
        for (std::size_t i = before; i < pending_.size(); ++i)
            sink_(pending_[i]);
    }
    pending_frames_ += static_cast<std::int64_t>(frames);
    if (pending_frames_ >= append_frames_)
        flush();
}

void RecordingLevels::flush() {
    pending_frames_ = 0;
    if (!appender_ || pending_.empty()) {
        pending_.clear();
        return;
    }
    try {
        appender_->append(pending_);
    } catch (const std::exception& e) {
        failed(e);
    }
    pending_.clear();
}

void RecordingLevels::end(std::int64_t frames) {
    if (!accumulator_)
        return;
    flush();
    const auto last = accumulator_->finish();
    if (last && sink_)
        sink_(*last);
    if (appender_) {
        if (frames != accumulator_->frames()) {
            // The file keeps less than was computed (cut back after a failed write): the levels
            // stay unfinished, and isr-web checks them against what the file holds.
            abandon();
            return;
        }
        try {
            struct stat st {};
            if (::stat(recording_.c_str(), &st) != 0)
                throw std::system_error(errno, std::generic_category(),
                                        "stat " + recording_.string());
            appender_->complete(last, file_key(st), frames);
            warned_ = false;
        } catch (const std::exception& e) {
            failed(e);
        }
    }
    reset();
}

void RecordingLevels::lose() {
    if (appender_) {
        std::error_code ec;
        fs::remove(appender_->path(), ec);
    }
    reset();
}

void RecordingLevels::abandon() noexcept {
    reset();
}

void RecordingLevels::failed(const std::exception& e) {
    // Once until levels are written again: while a disk is full, every retry's file would say
    // it. The recording goes on; isr-web decodes what has no levels. What was written stays
    // (unfinished, whole windows): removing it would free blocks in the middle of a disk episode.
    if (!warned_) {
        warned_ = true;
        log_.warning("the levels of ", name_, " cannot be written (", e.what(),
                     "); the recording is not affected, isr-web will decode it when asked");
    } else {
        log_.debug("the levels of ", name_, " cannot be written: ", e.what());
    }
    appender_.reset();
}

void RecordingLevels::reset() noexcept {
    accumulator_.reset();
    appender_.reset();
    pending_.clear();
    pending_frames_ = 0;
    recording_.clear();
    name_.clear();
}

} // namespace isr::rec
