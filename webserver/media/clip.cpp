#include "webserver/media/clip.hpp"

#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/wav_header.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/media/audio_decoder.hpp"
#include "webserver/media/live_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace isr::web {

ClipPlan plan_clip(const std::filesystem::path& file, double start, double end, bool live) {
    const auto decoder = live ? open_live_decoder(file) : open_decoder(file);
    ClipPlan plan;
    plan.file = file;
    plan.live = live;
    plan.sample_rate = decoder->sample_rate();
    plan.channels = decoder->channels();
    const auto total = decoder->frames();
    plan.first_frame = static_cast<std::int64_t>(std::llround(start * plan.sample_rate));
    auto last = static_cast<std::int64_t>(std::llround(end * plan.sample_rate));
    if (total) {
        if (plan.first_frame >= *total) {
            throw std::out_of_range(cat("start ", start, " s is past the end of the recording (",
                                        fixed(static_cast<double>(*total) / plan.sample_rate, 1),
                                        " s)"));
        }
        last = std::min(last, *total);
    }
    plan.frames = std::max<std::int64_t>(0, last - plan.first_frame);
    // A header may promise more than the file holds (a crash, a lie): make sure there is audio
    // where the clip starts before promising a WAV of silence.
    std::vector<float> probe(static_cast<std::size_t>(plan.channels));
    bool there = false;
    try {
        if (plan.first_frame > 0)
            decoder->seek(plan.first_frame);
        there = decoder->read(probe.data(), 1) == 1;
    } catch (const std::exception&) {
    }
    if (!there)
        throw std::out_of_range(
            cat("start ", start, " s is past the end of the audio in the recording"));
    return plan;
}

void produce_clip(const ClipPlan& plan, const std::shared_ptr<ChunkChannel>& channel) noexcept {
    try {
        if (!channel->push(make_wav_header_16(plan.sample_rate, plan.channels, plan.frames)))
            return;
        // A live file read as it was planned: the frames written by then are still there.
        auto decoder = plan.live ? open_live_decoder(plan.file) : open_decoder(plan.file);
        if (plan.first_frame > 0)
            decoder->seek(plan.first_frame);
        const auto ch = static_cast<std::size_t>(plan.channels);
        const auto chunk = static_cast<std::size_t>(std::max(1, plan.sample_rate / 2));
        std::vector<std::int16_t> samples(chunk * ch);
        std::int64_t left = plan.frames;
        while (left > 0) {
            const auto want = static_cast<std::size_t>(
                std::min<std::int64_t>(left, static_cast<std::int64_t>(chunk)));
            auto got = decoder->read_s16(samples.data(), want);
            if (got ==
                0) { // shorter than the header said: the promised length is honoured with silence
                got = want;
                std::fill_n(samples.begin(), got * ch, std::int16_t{0});
            }
            std::string bytes(reinterpret_cast<const char*>(samples.data()), got * ch * 2);
            if (!channel->push(std::move(bytes)))
                return; // the client went away
            left -= static_cast<std::int64_t>(got);
        }
        channel->finish();
    } catch (const std::exception& e) {
        log::warning("web", "clip of ", plan.file.filename().string(), " failed: ", e.what());
        channel->finish(true);
    }
}

} // namespace isr::web
