#include "common/flac_header.hpp"

#include "common/crc.hpp"

namespace isr {

namespace {

constexpr std::size_t kStreamInfoBytes = 34;

std::uint64_t be(std::span<const std::uint8_t> b, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | b[at + static_cast<std::size_t>(i)];
    return v;
}

bool is_flac_magic(std::span<const std::uint8_t> b) {
    return b.size() >= 4 && b[0] == 'f' && b[1] == 'L' && b[2] == 'a' && b[3] == 'C';
}

// Sample rates of codes 1..11; 0 defers to STREAMINFO, 12..14 are given after the header.
constexpr int kRates[12] = {0,     88200, 176400, 192000, 8000,  16000,
                            22050, 24000, 32000,  44100,  48000, 96000};
// Bits per sample of codes 0..7; 0 defers to STREAMINFO, -1 reserved.
constexpr int kSampleSizes[8] = {0, 8, 12, -1, 16, 20, 24, 32};

} // namespace

std::optional<FlacStreamInfo> parse_flac_streaminfo(std::span<const std::uint8_t> b) {
    if (b.size() < kStreamInfoBytes)
        return std::nullopt;
    FlacStreamInfo s;
    s.min_block_size = static_cast<int>(be(b, 0, 2));
    s.max_block_size = static_cast<int>(be(b, 2, 2));
    s.min_frame_size = static_cast<std::uint32_t>(be(b, 4, 3));
    s.max_frame_size = static_cast<std::uint32_t>(be(b, 7, 3));
    const auto packed = be(b, 10, 8); // rate 20 bits, channels-1 3, bits-1 5, samples 36
    s.sample_rate = static_cast<int>(packed >> 44);
    s.channels = static_cast<int>((packed >> 41) & 7) + 1;
    s.bits_per_sample = static_cast<int>((packed >> 36) & 31) + 1;
    s.total_samples = packed & ((std::uint64_t{1} << 36) - 1);
    if (s.sample_rate == 0 || s.max_block_size < 16)
        return std::nullopt;
    return s;
}

std::vector<std::uint8_t> make_flac_stream_header(const FlacStreamInfo& s) {
    std::vector<std::uint8_t> out{'f', 'L', 'a', 'C', 0x80, 0, 0, kStreamInfoBytes};
    auto put = [&](std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i)
            out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put(static_cast<std::uint64_t>(s.min_block_size), 2);
    put(static_cast<std::uint64_t>(s.max_block_size), 2);
    put(s.min_frame_size, 3);
    put(s.max_frame_size, 3);
    const auto packed = (static_cast<std::uint64_t>(s.sample_rate) << 44) |
                        (static_cast<std::uint64_t>(s.channels - 1) << 41) |
                        (static_cast<std::uint64_t>(s.bits_per_sample - 1) << 36) |
                        (s.total_samples & ((std::uint64_t{1} << 36) - 1));
    put(packed, 8);
    out.resize(out.size() + 16, 0); // MD5 unknown
    return out;
}

FlacMetadata scan_flac_metadata(std::span<const std::uint8_t> b, std::size_t max_size) {
    FlacMetadata m;
    if (b.size() < 4) {
        m.status = FlacParse::incomplete;
        return m;
    }
    if (!is_flac_magic(b))
        return m;
    std::size_t pos = 4;
    for (bool first = true;; first = false) {
        if (pos + 4 > max_size)
            return m;
        if (b.size() < pos + 4) {
            m.status = FlacParse::incomplete;
            return m;
        }
        const bool last = b[pos] & 0x80;
        const int type = b[pos] & 0x7F;
        const auto length = static_cast<std::size_t>(be(b, pos + 1, 3));
        if (type == 127 || (first && (type != 0 || length != kStreamInfoBytes)))
            return m;
        if (pos + 4 + length > max_size)
            return m;
        if (b.size() < pos + 4 + length) {
            m.status = FlacParse::incomplete;
            return m;
        }
        if (first) {
            const auto info = parse_flac_streaminfo(b.subspan(pos + 4, length));
            if (!info)
                return m;
            m.info = *info;
        }
        pos += 4 + length;
        if (last)
            break;
    }
    m.status = FlacParse::ok;
    m.size = pos;
    return m;
}

FlacFrameScan parse_flac_frame_header(std::span<const std::uint8_t> b) {
    FlacFrameScan scan;
    auto incomplete = [&] {
        scan.status = FlacParse::incomplete;
        return scan;
    };
    if (b.empty())
        return incomplete();
    if (b[0] != 0xFF)
        return scan;
    if (b.size() < 2)
        return incomplete();
    if ((b[1] & 0xFE) != 0xF8)
        return scan; // 14-bit sync and a zero reserved bit
    if (b.size() < 4)
        return incomplete();
    FlacFrameHeader& h = scan.header;
    h.variable_block_size = b[1] & 1;
    const int block_code = b[2] >> 4;
    const int rate_code = b[2] & 0xF;
    const int channel_code = b[3] >> 4;
    const int size_code = (b[3] >> 1) & 7;
    if (block_code == 0 || rate_code == 15 || channel_code > 10 || kSampleSizes[size_code] < 0 ||
        (b[3] & 1))
        return scan;
    h.channels = channel_code < 8 ? channel_code + 1 : 2;
    h.bits_per_sample = kSampleSizes[size_code];

    // Frame or sample number, UTF-8 style: the first byte's leading ones count its bytes.
    std::size_t pos = 4;
    if (b.size() < pos + 1)
        return incomplete();
    const std::uint8_t lead = b[pos];
    int extra = 0;
    std::uint64_t number = 0;
    if (lead < 0x80) {
        number = lead;
    } else {
        while (extra < 7 && (lead & (0x40 >> extra)))
            ++extra;
        if (extra == 0 || extra > 6)
            return scan; // a continuation byte, or 0xFE / 0xFF
        number = lead & (0x3Fu >> extra);
    }
    if (extra == 6 && !h.variable_block_size)
        return scan; // frame numbers fit in 31 bits
    if (b.size() < pos + 1 + static_cast<std::size_t>(extra))
        return incomplete();
    for (int i = 1; i <= extra; ++i) {
        const auto c = b[pos + static_cast<std::size_t>(i)];
        if ((c & 0xC0) != 0x80)
            return scan;
        number = (number << 6) | (c & 0x3Fu);
    }
    h.number = number;
    pos += 1 + static_cast<std::size_t>(extra);

    const std::size_t block_extra = block_code == 6 ? 1 : block_code == 7 ? 2 : 0;
    const std::size_t rate_extra = rate_code == 12                        ? 1
                                   : (rate_code == 13 || rate_code == 14) ? 2
                                                                          : 0;
    if (b.size() < pos + block_extra + rate_extra + 1)
        return incomplete();
    if (block_code == 1) {
        h.block_size = 192;
    } else if (block_code <= 5) {
        h.block_size = 576 << (block_code - 2);
    } else if (block_code <= 7) {
        h.block_size = static_cast<int>(be(b, pos, static_cast<int>(block_extra))) + 1;
    } else {
        h.block_size = 256 << (block_code - 8);
    }
    pos += block_extra;
    if (rate_code < 12) {
        h.sample_rate = kRates[rate_code];
    } else {
        const auto v = static_cast<int>(be(b, pos, static_cast<int>(rate_extra)));
        h.sample_rate = rate_code == 12 ? v * 1000 : rate_code == 13 ? v : v * 10;
        if (h.sample_rate == 0)
            return scan;
    }
    pos += rate_extra;
    if (crc8(b.first(pos)) != b[pos])
        return scan;
    h.size = pos + 1;
    scan.status = FlacParse::ok;
    return scan;
}

std::uint64_t flac_first_sample(const FlacFrameHeader& h, std::uint32_t fixed_block_size) noexcept {
    return h.variable_block_size ? h.number : h.number * fixed_block_size;
}

std::optional<FlacLiveEnd> find_flac_live_end(std::span<const std::uint8_t> tail,
                                              std::uint64_t tail_offset,
                                              const FlacStreamInfo& info) {
    const auto fixed = static_cast<std::uint32_t>(info.max_block_size);
    std::optional<std::pair<std::size_t, std::uint64_t>>
        later; // offset and first sample of the next header
    for (std::size_t i = tail.size(); i-- > 0;) {
        if (tail[i] != 0xFF)
            continue;
        const auto scan = parse_flac_frame_header(tail.subspan(i));
        if (scan.status != FlacParse::ok)
            continue;
        const auto first = flac_first_sample(scan.header, fixed);
        if (later && later->second == first + static_cast<std::uint64_t>(scan.header.block_size)) {
            return FlacLiveEnd{tail_offset + later->first, later->second};
        }
        later = std::make_pair(i, first);
    }
    return std::nullopt;
}

namespace {

// Whether the frame starting at tail[start] is complete: its CRC-16 sums to zero at the end of
// the tail, or where a frame header that the end of the tail cut short begins. Returns the end.
std::optional<std::size_t> complete_frame_end(std::span<const std::uint8_t> tail,
                                              std::size_t start) {
    const auto head = parse_flac_frame_header(tail.subspan(start));
    if (head.status != FlacParse::ok)
        return std::nullopt;
    std::uint16_t crc = crc16(tail.subspan(start, head.header.size));
    for (std::size_t end = start + head.header.size; end < tail.size(); ++end) {
        if (crc == 0 && end >= start + head.header.size + 2 && tail[end] == 0xFF &&
            parse_flac_frame_header(tail.subspan(end)).status == FlacParse::incomplete) {
            return end;
        }
        crc = crc16_update(crc, tail[end]);
    }
    if (crc == 0 && tail.size() >= start + head.header.size + 2)
        return tail.size();
    return std::nullopt;
}

} // namespace

std::optional<FlacCompleteEnd> find_flac_complete_end(std::span<const std::uint8_t> tail,
                                                      std::uint64_t tail_offset,
                                                      std::uint64_t audio_start,
                                                      const FlacStreamInfo& info) {
    // The last frame whose predecessor confirms it (see find_flac_live_end): every frame before
    // it is whole, as nothing was written after the failure.
    std::uint64_t start = 0;
    std::uint64_t samples_before = 0;
    if (const auto live = find_flac_live_end(tail, tail_offset, info)) {
        start = live->offset;
        samples_before = live->total_samples;
    } else if (tail_offset <= audio_start && audio_start <= tail_offset + tail.size()) {
        start = audio_start; // at most one frame: try the first
    } else {
        return std::nullopt;
    }
    const auto at = static_cast<std::size_t>(start - tail_offset);
    if (const auto end = complete_frame_end(tail, at)) {
        const auto head = parse_flac_frame_header(tail.subspan(at));
        return FlacCompleteEnd{tail_offset + *end,
                               samples_before + static_cast<std::uint64_t>(head.header.block_size)};
    }
    return FlacCompleteEnd{start, samples_before};
}

std::string patch_flac_total_samples(std::span<const std::uint8_t> head, std::size_t header_size,
                                     std::uint64_t total) {
    std::string out(reinterpret_cast<const char*>(head.data()), header_size);
    // STREAMINFO's body starts at byte 8; total samples are its 36 bits from the low nibble of
    // body byte 13.
    auto* b = reinterpret_cast<std::uint8_t*>(out.data()) + 8;
    b[13] = static_cast<std::uint8_t>((b[13] & 0xF0) | ((total >> 32) & 0x0F));
    b[14] = static_cast<std::uint8_t>(total >> 24);
    b[15] = static_cast<std::uint8_t>(total >> 16);
    b[16] = static_cast<std::uint8_t>(total >> 8);
    b[17] = static_cast<std::uint8_t>(total);
    return out;
}

} // namespace isr
