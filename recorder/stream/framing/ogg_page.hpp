#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

// Reading and rewriting single Ogg pages (RFC 3533).
namespace isr::rec::framing {

inline constexpr std::size_t kOggHeaderBytes = 27;
inline constexpr std::uint8_t kOggContinued = 0x01;
inline constexpr std::uint8_t kOggBos = 0x02;
inline constexpr std::uint8_t kOggEos = 0x04;

enum class PageStatus { invalid, incomplete, valid };
struct PageCheck {
    PageStatus status = PageStatus::invalid;
    std::size_t size = 0; // valid: bytes of the whole page
};

// Whether bytes[0] starts a complete page (capture pattern, version 0) whose CRC matches.
PageCheck check_ogg_page(std::span<const std::uint8_t> bytes) noexcept;

// The fields of a page check_ogg_page() found valid; spans point into the given bytes.
struct OggPage {
    std::uint8_t flags = 0;
    std::int64_t granule = -1; // -1: no packet ends on this page
    std::uint32_t serial = 0;
    std::uint32_t sequence = 0;
    std::span<const std::uint8_t> lacing;
    std::span<const std::uint8_t> body;
    std::size_t size = 0;

    bool continued() const noexcept { return flags & kOggContinued; }
    bool bos() const noexcept { return flags & kOggBos; }
    bool eos() const noexcept { return flags & kOggEos; }
    // Packets that end on this page.
    int packets_completed() const noexcept;
    // The part on this page of each packet that starts on it (not the continued one).
    std::vector<std::span<const std::uint8_t>> packet_starts() const;
};
OggPage read_ogg_page(std::span<const std::uint8_t> bytes) noexcept;

// The page's CRC, computed with its CRC field taken as zero.
std::uint32_t ogg_page_crc(std::span<const std::uint8_t> page) noexcept;

// Rewrite fields in place; the page's CRC must be refreshed afterwards.
void set_ogg_granule(std::span<std::uint8_t> page, std::int64_t granule) noexcept;
void set_ogg_sequence(std::span<std::uint8_t> page, std::uint32_t sequence) noexcept;
// `page` spans exactly one page.
void refresh_ogg_crc(std::span<std::uint8_t> page) noexcept;

// A valid page cut in two after its first `segments` lacing values (0 < segments < the page's
// count), each with its CRC: the first keeps the page's flags but EOS, and gets granule
// `first_granule`; the second starts with a fresh packet (no continuation flag, never BOS),
// keeps EOS and the page's granule, or -1 when no packet ends in it. Both keep the page's
// sequence number (adapt() renumbers pages). The caller cuts where a packet ends, so that the
// lacing values of a packet that spans pages stay whole on either side.
std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>
split_ogg_page(std::span<const std::uint8_t> page, std::size_t segments,
               std::int64_t first_granule);

// The packets that begin and end on these pages (valid, of one logical stream, in order), joined
// across page boundaries: the end of a packet begun before the first page and a packet still
// open after the last one are left out.
std::vector<std::vector<std::uint8_t>>
join_ogg_packets(std::span<const std::vector<std::uint8_t>> pages);

} // namespace isr::rec::framing
