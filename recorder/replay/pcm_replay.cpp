#include "recorder/replay/pcm_replay.hpp"

#include "common/strings.hpp"
#include "common/wav_header.hpp"

#include <chrono>
#include <cmath>

namespace isr::rec {

namespace {

std::uint64_t frames_of(double seconds, int rate) {
    return seconds <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(seconds * rate));
}

} // namespace

namespace {

// A plain RIFF/WAVE size field is 32 bits; longer saves go through libsndfile (RF64).
constexpr std::size_t kPlainWavLimit = 0xffffffffu - 64;

// The ring holds WAV's own data layout (little-endian samples of the recorded width): a header
// and one write make the file, without libsndfile converting every sample twice.
void write_wav(const CreatedFile& file, const PcmRing::Clip& clip) {
    const auto header =
        make_wav_header(clip.format.rate, clip.format.channels, clip.format.bit_depth,
                        static_cast<std::int64_t>(clip.frames()));
    const auto what = "write " + file.path.string();
    write_all(file.fd.get(), header, what);
    write_all(file.fd.get(), {reinterpret_cast<const char*>(clip.bytes.data()), clip.bytes.size()},
              what);
}

void write_with_sndfile(CreatedFile file, const PcmFileSpec& spec, const PcmRing::Clip& clip) {
    PcmFileWriter writer(std::move(file), spec);
    std::vector<std::int32_t> samples;
    const auto step = static_cast<std::size_t>(clip.format.rate);
    for (std::size_t done = 0; done < clip.frames(); done += step) {
        clip.samples(done, step, samples);
        writer.write(samples);
    }
    (void)writer.close();
}

} // namespace

PcmReplay::PcmReplay(const SourceConfig& cfg, SaveFileCreator create)
    : source_(cfg.name), create_(std::move(create)), ring_(cfg.replay_seconds) {
    spec_.format = cfg.format;
    spec_.bit_depth = cfg.bit_depth;
    spec_.compression_level = cfg.compression_level;
}

double PcmReplay::seconds_held() const {
    const auto e = ring_.extent();
    return e && e->format.rate > 0 ? static_cast<double>(e->end - e->begin) / e->format.rate : 0;
}

SavedClip PcmReplay::save(const SaveOptions& options, std::stop_token stop) {
    const auto extent = ring_.extent();
    if (!extent || extent->end == extent->begin)
        throw ReplayError(cat(source_, " has captured no audio yet"));
    const int rate = extent->format.rate;
    if (options.seconds && *options.seconds > ring_.seconds() + 1e-9) {
        throw ReplayError(cat(source_, " keeps only the last ", fixed(ring_.seconds(), 1),
                              " s (replay_seconds); ask for that or less"));
    }
    const auto trigger = extent->end;
    const auto end = trigger + frames_of(options.post_seconds, rate);
    std::uint64_t from = 0;
    unsigned counter = 0;
    {
        // Decided together, so that two quick saves with since_last never share a frame.
        std::lock_guard lock(mutex_);
        if (options.since_last && last_end_)
            from = *last_end_;
        else if (options.seconds)
            from = trigger - std::min(trigger, frames_of(*options.seconds, rate));
        if (options.since_last && last_end_ && options.seconds)
            from = std::max(from, trigger - std::min(trigger, frames_of(*options.seconds, rate)));
        last_end_ = std::max(last_end_.value_or(0), end);
        counter = ++counter_;
    }
    const auto reached = wait_for_audio(
        end, [&] { return ring_.extent()->end; }, stop);
    const auto clip = ring_.copy(from, reached);
    if (!clip) {
        throw ReplayError(options.since_last ? cat(source_, " has no audio since the last save")
                                             : cat(source_, " has no audio to save"));
    }
    SaveName name;
    name.source = source_;
    name.label = options.label;
    name.start_utc = clip->first_utc;
    name.seconds = clip->seconds();
    name.counter = counter;
    name.extension = PcmFileWriter::extension(spec_.format);
    auto spec = spec_;
    spec.rate = clip->format.rate;
    spec.channels = clip->format.channels;
    auto created = create_(name);
    SavedClip saved{created.path, clip->seconds(), clip->first_utc};
    try {
        if (spec.format == "wav" && clip->bytes.size() < kPlainWavLimit)
            write_wav(created, *clip);
        else
            write_with_sndfile(std::move(created), spec, *clip);
    } catch (const std::exception& e) {
        // Half a save is no save: nothing is left behind.
        std::error_code ignored;
        std::filesystem::remove(saved.path, ignored);
        throw ReplayError(cat("cannot write ", saved.path.string(), ": ", e.what()));
    }
    return saved;
}

} // namespace isr::rec
