#pragma once

#include "recorder/stream/framing/ogg_packet_samples.hpp"
#include "recorder/stream/framing/ogg_page.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

// Where to cut an Ogg page between two packets so that the audio before the cut comes nearest
// to a target (OggFramer::split).
namespace isr::rec::framing {

// What the framer knows about a page beyond its bytes.
struct OggPageTiming {
    // Samples (at the granule rate) of audio the page completes: its unit's duration.
    std::int64_t samples = 0;
    // The first bytes of the latest packet begun before the page (the one it continues, or the
    // one before its first packet); empty when unknown.
    PacketHead head_before;
    // `samples` is the granule difference to the page received right before it, mid-stream:
    // the page's packets must add up to it exactly, or their lengths are misread.
    bool exact = false;
};

struct OggCut {
    std::size_t segments = 0;       // lacing values before the cut
    std::int64_t first_samples = 0; // of timing.samples, those of the packets before the cut
};

// Of the cuts after a packet that ends inside the page (not at its very end), the one whose
// audio before it comes nearest to `target` samples into the page. Packets are placed back
// from the page's end, which its granule gives, except on a last page whose granule trims the
// final packet, where they are placed from its start. nullopt when no packet ends inside the
// page, or the lengths needed are unknown or do not add up to the page's. Pure.
std::optional<OggCut> plan_ogg_cut(const OggPage& page, const OggPacketSamples& lengths,
                                   const OggPageTiming& timing, std::int64_t target);

} // namespace isr::rec::framing
