#pragma once

#include "recorder/stream/framing/ogg_codec.hpp"
#include "recorder/stream/framing/ogg_packet_samples.hpp"
#include "recorder/stream/framing/ogg_page.hpp"
#include "recorder/stream/framing/sync_framer.hpp"

#include <deque>
#include <utility>

namespace isr::rec::framing {

// Ogg pages ("ogg", "opus"): Vorbis, Opus and FLAC in Ogg, including chained streams. One
// logical stream at a time (no multiplexed streams). Each page is a unit once its CRC is
// verified and the page after it (or a resync point) has been found. The pages of a stream
// whose header pages did not all arrive (its first page missed, or one failing its CRC) are
// junk: no decoder can use them, and a file must never start with them.
class OggFramer final : public SyncFramer {
public:
    // The extension to report until the codec is known.
    explicit OggFramer(std::string default_extension = ".ogg")
        : default_extension_(std::move(default_extension)) {}

    std::vector<std::uint8_t> begin_file(const Unit& first) override;
    // Also removes a header page that begin_file() already injected into this file, in case
    // the caller writes header units as well.
    void adapt(Unit& unit) override;
    // Cuts an audio page of a stream whose headers it read (Opus, Vorbis, FLAC) between two
    // packets, each part a valid page with its CRC, flags and granule; adapt() renumbers them.
    std::optional<std::pair<Unit, Unit>> split(const Unit& unit, double seconds) const override;
    StreamInfo info() const override;
    std::string extension() const override;

private:
    Probe probe(std::size_t pos, Mode mode) override;
    std::size_t probe_bytes() const noexcept override { return 4; }
    bool may_start(std::uint8_t first) const noexcept override { return first == 'O'; }
    std::optional<std::size_t> head_length() override;
    // A page states its length and its CRC proves it: a head that is no whole valid page (the
    // start of a page a connection cut off, junk that looked like one) is no unit at all,
    // whatever ends it.
    std::size_t unit_size(std::size_t end) override;
    // A page is CRC-checked, so it cannot be truncated: garbage can only follow it.
    std::size_t resync_start(std::size_t head_len) const noexcept override { return head_len + 1; }
    void describe(Unit& unit) override;
    bool usable(const Unit& unit) const override;
    // Twice the largest page, so that a page waiting to be completed never triggers it.
    std::size_t max_scan_bytes() const noexcept override { return 2 * 65536; }

    void start_stream(const OggPage& bos);
    bool is_header_page(const OggPage& page);
    std::int64_t granule_before(const OggPage& page, const Unit& unit) const;
    std::int64_t joined_page_samples(const OggPage& page, std::size_t unit_size) const;

    struct Logical {
        bool known = false;  // its BOS page was seen
        bool broken = false; // a header page is missing: its pages cannot be decoded
        std::uint32_t id = 0;
        std::uint32_t serial = 0;
        std::optional<OggCodec> codec;
        bool headers_done = false;
        int header_packets_seen = 0;
        std::int64_t last_granule = 0; // of the latest audio page
        std::optional<std::uint32_t> last_header_sequence;
        bool audio_seen = false;
        std::optional<std::uint32_t> last_sequence; // of its latest page
        PacketHead last_head;                       // of the latest packet begun on its pages
    };
    struct Emitted {
        std::uint32_t serial = 0;
        std::uint32_t sequence = 0;
        std::int64_t granule_before = 0; // of the audio page before it
        std::size_t size = 0;            // tells the page from the parts split() cuts it into
        PacketHead head_before;          // the packet begun before it, when it directly follows
        bool exact = false;              // mid-stream: its duration is its packets' (split())
    };
    struct FileState {
        // Header pages begin_file() wrote, by (serial, original sequence number).
        std::vector<std::pair<std::uint32_t, std::uint32_t>> injected;
        std::optional<std::uint32_t> serial; // the logical stream being renumbered
        std::uint32_t next_sequence = 0;
        std::optional<std::int64_t> granule_base;
    };
    // A stream's header pages, kept for the files that start with its pages. The latest few:
    // a file may start with pages of a stream whose successor's headers were read already.
    struct Headers {
        std::uint32_t id = 0;
        std::uint32_t serial = 0;
        int pre_skip = 0; // Opus: added back in files after the first
        int granule_rate = 0;
        std::vector<std::vector<std::uint8_t>> pages;
        // Read from the header pages at the stream's first audio page; nullopt: split() cannot
        // tell its packets' lengths.
        std::optional<OggPacketSamples> packet_samples;
        bool audio_started = false;
    };
    const Headers* headers_for(std::uint32_t id) const noexcept;
    const Headers* headers_of_serial(std::uint32_t serial) const noexcept;
    const Emitted* emitted(const OggPage& page) const noexcept;
    // Remembers where the stream's latest packet began, for split().
    void track_packets(const OggPage& page);

    Logical stream_;
    std::deque<Headers> history_;
    std::uint32_t next_id_ = 1;
    std::deque<Emitted> recent_; // lets adapt() find a page's predecessor
    FileState file_;
    std::string default_extension_;
};

} // namespace isr::rec::framing
