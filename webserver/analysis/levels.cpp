#include "webserver/analysis/levels.hpp"

#include "common/strings.hpp"
#include "webserver/media/audio_decoder.hpp"
#include "webserver/work_pool.hpp"

#include <cmath>
#include <stdexcept>

namespace isr::web {

namespace {

constexpr std::size_t kReadFrames = 16384;
constexpr std::int64_t kMinPartWindows =
    600; // a minute: below that, seeking costs more than it saves

} // namespace

std::shared_ptr<LevelsComputation> LevelsComputation::start(const std::filesystem::path& path,
                                                            WorkPool& pool, int parts,
                                                            const Levels* prefix) {
    auto c = std::shared_ptr<LevelsComputation>(new LevelsComputation());
    c->path_ = path;
    c->result_ = c->promise_.get_future().share();
    const auto probe = open_decoder(path);
    c->rate_ = probe->sample_rate();
    c->channels_ = probe->channels();
    c->window_frames_ = window_frames_at(c->rate_);
    // The header's length only plans the parts; nothing is sized from it (a 47 KB file may
    // claim 2^36 samples). Storage grows with what is decoded.
    const auto frames = probe->frames();
    const auto windows = frames ? (*frames + c->window_frames_ - 1) / c->window_frames_ : 0;
    std::int64_t first = 0; // window
    if (prefix && !prefix->db.empty() && probe->exact_seek() && frames &&
        prefix->sample_rate == c->rate_ && prefix->channels == c->channels_ &&
        static_cast<std::int64_t>(prefix->db.size()) * c->window_frames_ <= *frames) {
        // At least the last frame is decoded again: a seek to the very end fails (FLAC), and
        // the last part must find where the file ends.
        first = std::min(static_cast<std::int64_t>(prefix->db.size()),
                         (*frames - 1) / c->window_frames_);
        c->parts_.push_back(
            {0, first,
             std::vector<float>(prefix->db.begin(),
                                prefix->db.begin() + static_cast<std::ptrdiff_t>(first)),
             nullptr, true});
        c->resumed_at_ = first * c->window_frames_;
    }
    c->expected_frames_ = frames ? *frames - c->resumed_at_ : 0;
    std::int64_t count = 1;
    if (probe->exact_seek() && frames && *frames > 0) {
        count =
            std::clamp<std::int64_t>((windows - first) / kMinPartWindows, 1, std::max(1, parts));
    }
    for (std::int64_t i = 0; i < count; ++i) {
        c->parts_.push_back({first + (windows - first) * i / count,
                             first + (windows - first) * (i + 1) / count,
                             {},
                             nullptr,
                             false});
    }
    c->parts_left_ = static_cast<std::size_t>(count);
    for (std::size_t i = 0; i < c->parts_.size(); ++i) {
        if (!c->parts_[i].known)
            pool.post([c, i] { c->run_part(i); });
    }
    return c;
}

double LevelsComputation::progress() const noexcept {
    if (done())
        return 1.0;
    if (expected_frames_ <= 0)
        return 0.0;
    return std::min(0.99, static_cast<double>(frames_done_.load()) /
                              static_cast<double>(expected_frames_));
}

void LevelsComputation::run_part(std::size_t index) {
    auto& part = parts_[index];
    try {
        if (cancelled_)
            throw std::runtime_error("analysis cancelled");
        const bool last = index + 1 == parts_.size();
        auto decoder = open_decoder(path_);
        const auto first_frame = part.first_window * window_frames_;
        if (first_frame > 0)
            decoder->seek(first_frame);
        const auto ch = static_cast<std::size_t>(channels_);
        std::vector<float> buffer(kReadFrames * ch);
        WindowAccumulator windows(rate_, channels_);
        const auto check_length = [&] {
            if (part.first_window + static_cast<std::int64_t>(part.db.size()) > kMaxWindows) {
                throw std::runtime_error(
                    cat("longer than ", kMaxWindows / 36000, " hours: too long to analyse"));
            }
        };
        // Non-last parts stop at their planned end; the last part reads to the end of the file.
        const std::int64_t end_frame = last ? INT64_MAX : part.end_window * window_frames_;
        std::int64_t position = first_frame;
        while (position < end_frame && !cancelled_) {
            const auto want = static_cast<std::size_t>(std::min<std::int64_t>(
                static_cast<std::int64_t>(kReadFrames), end_frame - position));
            const auto got = decoder->read(buffer.data(), want);
            if (got == 0)
                break;
            windows.add(buffer.data(), got, part.db);
            check_length();
            position += static_cast<std::int64_t>(got);
            frames_done_ += static_cast<std::int64_t>(got);
        }
        if (const auto tail = windows.finish()) {
            part.db.push_back(*tail);
            check_length();
        }
        if (cancelled_)
            throw std::runtime_error("analysis cancelled");
    } catch (...) {
        part.error = std::current_exception();
    }
    finish_part();
}

void LevelsComputation::finish_part() {
    if (--parts_left_ > 0)
        return;
    // Parts in order. One that found fewer windows than planned met the real end of the file (its
    // header promised more): what later parts found, or failed to find, is past that end.
    auto levels = std::make_shared<Levels>();
    for (auto& part : parts_) {
        if (part.error) {
            promise_.set_exception(part.error);
            return;
        }
        levels->db.insert(levels->db.end(), part.db.begin(), part.db.end());
        const auto planned = static_cast<std::size_t>(part.end_window - part.first_window);
        const bool short_part = part.db.size() < planned;
        std::vector<float>().swap(part.db);
        if (short_part)
            break;
    }
    levels->sample_rate = rate_;
    levels->channels = channels_;
    levels->window_seconds = static_cast<double>(window_frames_) / rate_;
    levels->duration =
        std::min(static_cast<double>(resumed_at_ + frames_done_.load()),
                 static_cast<double>(levels->db.size()) * static_cast<double>(window_frames_)) /
        rate_;
    promise_.set_value(std::move(levels));
}

std::shared_ptr<const Levels> compute_levels(const std::filesystem::path& path) {
    WorkPool pool("analysis", 2);
    auto c = LevelsComputation::start(path, pool, 2);
    return c->get();
}

} // namespace isr::web
