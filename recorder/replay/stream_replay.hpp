#pragma once

#include "common/config.hpp"
#include "recorder/replay/replay.hpp"
#include "recorder/stream/framing/framer.hpp"

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

namespace isr::rec {

// Instant replay of a stream source: the last replay_seconds of whole frames or pages, as
// received (before a file's granule and page-number rewriting), each with its capture time,
// plus the headers of the current stream (Ogg header pages, a FLAC stream header) so that a
// saved file plays on its own. A save re-frames its units with a fresh framer of the stream's
// format, which writes the headers and rebases Ogg granules exactly as for a recording.
//
// The session's thread adds units under a lock held for a push; a save copies pointers to the
// units it needs under that lock and does everything else without it. Memory is bounded by
// time (replay_seconds plus a second) and by bytes (kMaxBytesPerSecond per second of ring:
// 4 Mbit/s, beyond any radio stream; a faster stream keeps fewer seconds).
class StreamReplay final : public Replay {
public:
    StreamReplay(const SourceConfig& cfg, SaveFileCreator create);

    // --- the session's thread
    // A new connection or a new format: what the ring holds is no longer continuous with what
    // follows, so saves start after this.
    void start(const std::string& format);
    // A unit as the framer gave it, captured at `utc`.
    void add(const framing::Unit& unit, double utc);

    SavedClip save(const SaveOptions& options, std::stop_token stop) override;
    double seconds_held() const override;
    double capacity_seconds() const override { return seconds_; }

    static constexpr std::size_t kMaxBytesPerSecond = 512 * 1024;

private:
    struct Entry {
        std::shared_ptr<const framing::Unit> unit;
        double utc = 0;
    };
    struct Segment {
        std::string format;
        std::vector<std::shared_ptr<const framing::Unit>> headers;
    };
    void evict();
    // Cuts the ends of a save's units (starting at `start_utc`) to [from, until]: at the nearest
    // frame or page boundary, or between packets inside an Ogg page.
    static void trim(const framing::Framer& framer, std::vector<framing::Unit>& units,
                     double& start_utc, double from, double until);
    double end_utc() const; // requires mutex_

    std::string source_;
    double seconds_;
    SaveFileCreator create_;

    mutable std::mutex mutex_;
    std::shared_ptr<Segment> segment_; // the current one; entries belong to it
    std::deque<Entry> entries_;        // audio units, oldest first
    std::size_t bytes_ = 0;
    std::optional<double> last_end_utc_; // where the previous save ended
    unsigned counter_ = 0;
};

} // namespace isr::rec
