#include "recorder/stream/icy_metadata.hpp"

#include <algorithm>

namespace isr::rec {

std::string to_utf8(std::string_view text) {
    // Validate as UTF-8 first: most modern servers send it.
    bool valid = true;
    for (std::size_t i = 0; i < text.size() && valid;) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        if (len == 0 || i + len > text.size())
            valid = false;
        for (std::size_t k = 1; valid && k < len; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
                valid = false;
        }
        i += len ? len : 1;
    }
    if (valid)
        return std::string(text);
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string IcyMetadataStripper::stream_title(std::string_view block) {
    const std::string_view key = "StreamTitle='";
    const auto start = block.find(key);
    if (start == std::string_view::npos)
        return {};
    const auto from = start + key.size();
    auto end = block.find("';", from);
    if (end == std::string_view::npos)
        end = block.rfind('\'');
    if (end == std::string_view::npos || end < from)
        return {};
    return to_utf8(block.substr(from, end - from));
}

void IcyMetadataStripper::process(std::span<const std::uint8_t> in,
                                  std::vector<std::uint8_t>& out) {
    std::size_t i = 0;
    while (i < in.size()) {
        if (meta_remaining_ > 0) {
            const auto n = std::min(meta_remaining_, in.size() - i);
            meta_.append(reinterpret_cast<const char*>(in.data() + i), n);
            meta_remaining_ -= n;
            metadata_bytes_ += n;
            i += n;
            if (meta_remaining_ == 0) {
                const auto zero = meta_.find('\0');
                const auto title = stream_title(std::string_view(meta_).substr(0, zero));
                if (!title.empty() && title != last_title_) {
                    last_title_ = title;
                    if (on_title_)
                        on_title_(title);
                }
                meta_.clear();
                until_meta_ = metaint_;
            }
            continue;
        }
        if (in_length_byte_) {
            meta_remaining_ = std::size_t(in[i]) * 16;
            ++metadata_bytes_;
            ++i;
            in_length_byte_ = false;
            if (meta_remaining_ == 0)
                until_meta_ = metaint_;
            continue;
        }
        const auto n = std::min(until_meta_, in.size() - i);
        out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(i),
                   in.begin() + static_cast<std::ptrdiff_t>(i + n));
        until_meta_ -= n;
        i += n;
        if (until_meta_ == 0)
            in_length_byte_ = true;
    }
}

} // namespace isr::rec
