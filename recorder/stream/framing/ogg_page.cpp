#include "recorder/stream/framing/ogg_page.hpp"

#include "common/crc.hpp"

#include <algorithm>
#include <array>

namespace isr::rec::framing {

namespace {

constexpr std::size_t kGranuleAt = 6;
constexpr std::size_t kSerialAt = 14;
constexpr std::size_t kSequenceAt = 18;
constexpr std::size_t kCrcAt = 22;
constexpr std::size_t kSegmentsAt = 26;

std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) noexcept {
    return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) |
           (std::uint32_t{b[at + 2]} << 16) | (std::uint32_t{b[at + 3]} << 24);
}

void put_le(std::span<std::uint8_t> b, std::size_t at, std::uint64_t value, int bytes) noexcept {
    for (int i = 0; i < bytes; ++i)
        b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
}

} // namespace

PageCheck check_ogg_page(std::span<const std::uint8_t> b) noexcept {
    static constexpr std::array<std::uint8_t, 4> kCapture{'O', 'g', 'g', 'S'};
    for (std::size_t i = 0; i < kCapture.size() && i < b.size(); ++i)
        if (b[i] != kCapture[i])
            return {};
    if (b.size() < kOggHeaderBytes)
        return {PageStatus::incomplete, 0};
    if (b[4] != 0)
        return {};
    const std::size_t segments = b[kSegmentsAt];
    if (b.size() < kOggHeaderBytes + segments)
        return {PageStatus::incomplete, 0};
    std::size_t size = kOggHeaderBytes + segments;
    for (std::size_t i = 0; i < segments; ++i)
        size += b[kOggHeaderBytes + i];
    if (b.size() < size)
        return {PageStatus::incomplete, 0};
    if (ogg_page_crc(b.first(size)) != le32(b, kCrcAt))
        return {};
    return {PageStatus::valid, size};
}

OggPage read_ogg_page(std::span<const std::uint8_t> b) noexcept {
    OggPage page;
    page.flags = b[5];
    std::uint64_t granule = 0;
    for (std::size_t i = 0; i < 8; ++i)
        granule |= std::uint64_t{b[kGranuleAt + i]} << (8 * i);
    page.granule = static_cast<std::int64_t>(granule);
    page.serial = le32(b, kSerialAt);
    page.sequence = le32(b, kSequenceAt);
    const std::size_t segments = b[kSegmentsAt];
    page.lacing = b.subspan(kOggHeaderBytes, segments);
    std::size_t body = 0;
    for (auto l : page.lacing)
        body += l;
    page.body = b.subspan(kOggHeaderBytes + segments, body);
    page.size = kOggHeaderBytes + segments + body;
    return page;
}

int OggPage::packets_completed() const noexcept {
    int n = 0;
    for (auto l : lacing)
        n += l < 255 ? 1 : 0;
    return n;
}

std::vector<std::span<const std::uint8_t>> OggPage::packet_starts() const {
    std::vector<std::span<const std::uint8_t>> starts;
    std::size_t offset = 0;
    std::size_t packet_begin = 0;
    bool in_continued = continued();
    for (auto l : lacing) {
        offset += l;
        if (l < 255) {
            if (!in_continued)
                starts.push_back(body.subspan(packet_begin, offset - packet_begin));
            in_continued = false;
            packet_begin = offset;
        }
    }
    // A packet that starts here and continues on the next page.
    if (packet_begin < offset && !in_continued)
        starts.push_back(body.subspan(packet_begin, offset - packet_begin));
    return starts;
}

std::uint32_t ogg_page_crc(std::span<const std::uint8_t> page) noexcept {
    static constexpr std::array<std::uint8_t, 4> kZero{};
    auto crc = crc32(page.first(kCrcAt));
    crc = crc32(kZero, crc);
    return crc32(page.subspan(kCrcAt + 4), crc);
}

void set_ogg_granule(std::span<std::uint8_t> page, std::int64_t granule) noexcept {
    put_le(page, kGranuleAt, static_cast<std::uint64_t>(granule), 8);
}

void set_ogg_sequence(std::span<std::uint8_t> page, std::uint32_t sequence) noexcept {
    put_le(page, kSequenceAt, sequence, 4);
}

void refresh_ogg_crc(std::span<std::uint8_t> page) noexcept {
    put_le(page, kCrcAt, ogg_page_crc(page), 4);
}

std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>
split_ogg_page(std::span<const std::uint8_t> bytes, std::size_t segments,
               std::int64_t first_granule) {
    const auto page = read_ogg_page(bytes);
    segments = std::min(segments, page.lacing.size());
    std::size_t first_body = 0;
    for (auto l : page.lacing.first(segments))
        first_body += l;
    const auto rest = page.lacing.subspan(segments);
    const bool rest_completes =
        std::any_of(rest.begin(), rest.end(), [](std::uint8_t l) { return l < 255; });
    const auto make = [&](std::uint8_t flags, std::int64_t granule,
                          std::span<const std::uint8_t> lacing,
                          std::span<const std::uint8_t> body) {
        std::vector<std::uint8_t> out(kOggHeaderBytes + lacing.size() + body.size());
        const auto lacing_at = std::copy_n(bytes.begin(), kOggHeaderBytes, out.begin());
        std::copy(body.begin(), body.end(), std::copy(lacing.begin(), lacing.end(), lacing_at));
        out[5] = flags;
        out[kSegmentsAt] = static_cast<std::uint8_t>(lacing.size());
        set_ogg_granule(out, granule);
        refresh_ogg_crc(out);
        return out;
    };
    // The first part ends where a packet ends; the second ends as the page did, so the next
    // page's continuation flag still follows the packet it continues.
    return {make(page.flags & std::uint8_t(~kOggEos), first_granule, page.lacing.first(segments),
                 page.body.first(first_body)),
            make(page.flags & std::uint8_t(~(kOggContinued | kOggBos)),
                 rest_completes ? page.granule : -1, rest, page.body.subspan(first_body))};
}

std::vector<std::vector<std::uint8_t>>
join_ogg_packets(std::span<const std::vector<std::uint8_t>> pages) {
    std::vector<std::vector<std::uint8_t>> packets;
    std::vector<std::uint8_t> current;
    bool open = false; // a packet whose start was seen goes on after the last page
    for (const auto& bytes : pages) {
        if (check_ogg_page(bytes).status != PageStatus::valid) {
            current.clear();
            open = false;
            continue;
        }
        const auto page = read_ogg_page(bytes);
        // Whether the bytes at hand belong to a packet whose start was seen.
        bool seen = !page.continued() || open;
        if (!seen || !page.continued())
            current.clear();
        std::size_t at = 0;
        for (auto l : page.lacing) {
            if (seen)
                current.insert(current.end(), page.body.begin() + static_cast<std::ptrdiff_t>(at),
                               page.body.begin() + static_cast<std::ptrdiff_t>(at + l));
            at += l;
            if (l < 255) {
                if (seen)
                    packets.push_back(std::move(current));
                current.clear();
                seen = true;
            }
        }
        open = seen && !page.lacing.empty() && page.lacing.back() == 255;
    }
    return packets;
}

} // namespace isr::rec::framing
