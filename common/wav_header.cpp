#include "common/wav_header.hpp"

#include <algorithm>
#include <cstring>

namespace isr {

namespace {

std::uint32_t le32(std::span<const std::uint8_t> d, std::size_t at) {
    return std::uint32_t(d[at]) | (std::uint32_t(d[at + 1]) << 8) |
           (std::uint32_t(d[at + 2]) << 16) | (std::uint32_t(d[at + 3]) << 24);
}
std::uint16_t le16(std::span<const std::uint8_t> d, std::size_t at) {
    return static_cast<std::uint16_t>(d[at] | (d[at + 1] << 8));
}
std::uint64_t le64(std::span<const std::uint8_t> d, std::size_t at) {
    return std::uint64_t(le32(d, at)) | (std::uint64_t(le32(d, at + 4)) << 32);
}
void put32(std::string& s, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        s[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put64(std::string& s, std::size_t at, std::uint64_t v) {
    put32(s, at, static_cast<std::uint32_t>(v));
    put32(s, at + 4, static_cast<std::uint32_t>(v >> 32));
}
bool tag(std::span<const std::uint8_t> d, std::size_t at, const char* t) {
    return std::memcmp(d.data() + at, t, 4) == 0;
}

} // namespace

std::optional<WavInfo> parse_wav_header(std::span<const std::uint8_t> d) {
    if (d.size() < 12 || !tag(d, 8, "WAVE"))
        return std::nullopt;
    WavInfo info;
    if (tag(d, 0, "RF64"))
        info.rf64 = true;
    else if (!tag(d, 0, "RIFF"))
        return std::nullopt;
    std::size_t at = 12;
    bool have_fmt = false;
    std::uint64_t ds64_data = 0;
    while (at + 8 <= d.size()) {
        const std::uint32_t size = le32(d, at + 4);
        const auto body = at + 8;
        if (tag(d, at, "ds64") && body + 24 <= d.size()) {
            info.ds64_offset = body;
            ds64_data = le64(d, body + 8);
        } else if (tag(d, at, "fmt ") && body + 16 <= d.size()) {
            info.format_tag = le16(d, body);
            info.channels = le16(d, body + 2);
            info.sample_rate = static_cast<int>(le32(d, body + 4));
            info.block_align = le16(d, body + 12);
            info.bits_per_sample = le16(d, body + 14);
            have_fmt = true;
        } else if (tag(d, at, "data")) {
            if (!have_fmt || info.block_align <= 0 || info.sample_rate <= 0)
                return std::nullopt;
            info.data_offset = body;
            info.declared_data = (info.rf64 && size == 0xFFFFFFFFu) ? ds64_data : size;
            return info;
        }
        at = body + size + (size & 1); // chunks are padded to even sizes
    }
    return std::nullopt;
}

std::uint64_t wav_frames_present(const WavInfo& info, std::uint64_t file_size) noexcept {
    if (file_size <= info.data_offset || info.block_align <= 0)
        return 0;
    return (file_size - info.data_offset) / static_cast<std::uint64_t>(info.block_align);
}

std::string patch_wav_header(std::span<const std::uint8_t> head, const WavInfo& info,
                             std::uint64_t file_size) {
    std::string out(reinterpret_cast<const char*>(head.data()),
                    static_cast<std::size_t>(info.data_offset));
    const std::uint64_t data =
        wav_frames_present(info, file_size) * static_cast<std::uint64_t>(info.block_align);
    const std::uint64_t riff = info.data_offset + data - 8;
    if (info.rf64 && info.ds64_offset) {
        put32(out, 4, 0xFFFFFFFFu);
        put64(out, info.ds64_offset, riff);
        put64(out, info.ds64_offset + 8, data);
        put32(out, static_cast<std::size_t>(info.data_offset - 4), 0xFFFFFFFFu);
    } else {
        // A RIFF file past 4 GiB cannot state its size; 0xFFFFFFFF means "to the end" to players.
        put32(out, 4, static_cast<std::uint32_t>(std::min<std::uint64_t>(riff, 0xFFFFFFFFu)));
        put32(out, static_cast<std::size_t>(info.data_offset - 4),
              static_cast<std::uint32_t>(std::min<std::uint64_t>(data, 0xFFFFFFFFu)));
    }
    return out;
}

std::string make_wav_header(int rate, int channels, int bits, std::int64_t frames) {
    const int bytes = bits / 8;
    const auto data = static_cast<std::uint32_t>(frames * channels * bytes);
    std::string h(44, '\0');
    const auto put16 = [&h](std::size_t at, std::uint32_t v) {
        h[at] = static_cast<char>(v & 0xff);
        h[at + 1] = static_cast<char>((v >> 8) & 0xff);
    };
    h.replace(0, 4, "RIFF");
    put32(h, 4, 36 + data);
    h.replace(8, 8, "WAVEfmt ");
    put32(h, 16, 16);
    put16(20, 1);
    put16(22, static_cast<std::uint32_t>(channels));
    put32(h, 24, static_cast<std::uint32_t>(rate));
    put32(h, 28, static_cast<std::uint32_t>(rate * channels * bytes));
    put16(32, static_cast<std::uint32_t>(channels * bytes));
    put16(34, static_cast<std::uint32_t>(bits));
    h.replace(36, 4, "data");
    put32(h, 40, data);
    return h;
}

} // namespace isr
