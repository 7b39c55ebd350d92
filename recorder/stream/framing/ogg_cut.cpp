#include "recorder/stream/framing/ogg_cut.hpp"

#include <vector>

namespace isr::rec::framing {

namespace {

// A packet that ends on the page.
struct Completed {
    std::size_t end_segment = 0; // lacing values up to its end
    // Its first bytes; for one begun on an earlier page, as the framer remembered them.
    std::span<const std::uint8_t> start;
    std::optional<int> samples;
};

std::vector<Completed> completed_packets(const OggPage& page, const OggPacketSamples& lengths,
                                         const PacketHead& head_before) {
    std::vector<Completed> packets;
    std::size_t begin = 0;
    std::size_t at = 0;
    bool continued = page.continued();
    for (std::size_t i = 0; i < page.lacing.size(); ++i) {
        at += page.lacing[i];
        if (page.lacing[i] == 255)
            continue;
        Completed p;
        p.end_segment = i + 1;
        p.start = continued ? head_before.view() : page.body.subspan(begin, at - begin);
        // The packet before the first one is known only from the framer's memory; the one
        // before a continued packet not at all.
        const auto previous = !packets.empty() ? packets.back().start
                              : continued      ? std::span<const std::uint8_t>()
                                               : head_before.view();
        // A continued packet has at least 255 bytes: an empty start is one not known.
        if (!(continued && head_before.size == 0))
            p.samples = lengths.samples(p.start, previous);
        packets.push_back(p);
        begin = at;
        continued = false;
    }
    return packets;
}

} // namespace

std::optional<OggCut> plan_ogg_cut(const OggPage& page, const OggPacketSamples& lengths,
                                   const OggPageTiming& timing, std::int64_t target) {
    const auto packets = completed_packets(page, lengths, timing.head_before);
    // Cuts after packet k - 1, for k = 1 .. last; after the last packet only when a packet that
    // goes on to the next page follows it.
    const bool open_at_end = !page.lacing.empty() && page.lacing.back() == 255;
    const std::size_t last = open_at_end ? packets.size() : packets.size() - 1;
    if (packets.empty() || last == 0)
        return std::nullopt;

    std::int64_t total = 0;
    bool all_known = true;
    for (const auto& p : packets) {
        all_known = all_known && p.samples;
        total += p.samples.value_or(0);
    }
    if (timing.exact && !page.eos() && all_known && total != timing.samples)
        return std::nullopt;
    // A stream's last granule may end before its last packet's audio does (the encoder's
    // padding): the packets then hold more than the page, and the cut is placed from the start
    // so that the trim stays at the end.
    const bool trimmed_end = page.eos() && all_known && total > timing.samples;

    std::optional<OggCut> best;
    const auto consider = [&](std::size_t k, std::int64_t first) {
        const auto distance = [&](std::int64_t s) { return s > target ? s - target : target - s; };
        if (first >= 0 && (!best || distance(first) < distance(best->first_samples)))
            best = OggCut{packets[k - 1].end_segment, first};
    };
    if (trimmed_end) {
        std::int64_t before = 0;
        for (std::size_t k = 1; k <= last; ++k) {
            before += *packets[k - 1].samples;
            consider(k, std::min(before, timing.samples));
        }
        return best;
    }
    // Counted back from the page's end: the cut after packet k - 1 leaves packets k .. on.
    std::int64_t after = 0;
    for (std::size_t k = packets.size(); k >= 1; --k) {
        if (k <= last)
            consider(k, timing.samples - after);
        if (!packets[k - 1].samples)
            break; // earlier cuts need this packet's length
        after += *packets[k - 1].samples;
    }
    return best;
}

} // namespace isr::rec::framing
