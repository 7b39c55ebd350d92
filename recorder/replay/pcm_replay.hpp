#pragma once

#include "common/config.hpp"
#include "recorder/replay/pcm_ring.hpp"
#include "recorder/replay/replay.hpp"
#include "recorder/writer/pcm_file_writer.hpp"

#include <mutex>

namespace isr::rec {

// Instant replay of a PCM source (a sound card, the generator): a PcmRing of replay_seconds that
// the session writes every read into, saved as WAV or FLAC per the source's `format`.
class PcmReplay final : public Replay {
public:
    PcmReplay(const SourceConfig& cfg, SaveFileCreator create);

    // For the session: where its reads go.
    PcmRing& ring() noexcept { return ring_; }

    SavedClip save(const SaveOptions& options, std::stop_token stop) override;
    double seconds_held() const override;
    double capacity_seconds() const override { return ring_.seconds(); }

private:
    std::string source_;
    PcmFileSpec spec_;
    SaveFileCreator create_;
    PcmRing ring_;
    std::mutex mutex_;                      // guards the two below
    std::optional<std::uint64_t> last_end_; // where the previous save ended
    unsigned counter_ = 0;
};

} // namespace isr::rec
