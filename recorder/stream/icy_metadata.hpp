#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace isr::rec {

// Removes SHOUTcast/Icecast in-band metadata from a body sent with `icy-metaint: N`: after every
// N audio bytes comes one length byte L and L*16 bytes of "StreamTitle='…';StreamUrl='…';".
// We never ask for it, but some servers send it anyway; the files must hold audio only.
class IcyMetadataStripper {
public:
    using TitleCallback = std::function<void(const std::string& title)>;

    IcyMetadataStripper(std::size_t metaint, TitleCallback on_title)
        : metaint_(metaint), on_title_(std::move(on_title)), until_meta_(metaint) {}

    // Appends the audio bytes of `in` to `out`.
    void process(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);

    std::uint64_t metadata_bytes() const noexcept { return metadata_bytes_; }

    // The StreamTitle of a metadata block, as UTF-8 (Latin-1 text is converted), or empty.
    static std::string stream_title(std::string_view block);

private:
    std::size_t metaint_;
    TitleCallback on_title_;
    std::size_t until_meta_;
    std::size_t meta_remaining_ = 0;
    bool in_length_byte_ = false;
    std::string meta_;
    std::string last_title_;
    std::uint64_t metadata_bytes_ = 0;
};

// Valid UTF-8 stays as is; anything else is taken as Latin-1 and converted.
std::string to_utf8(std::string_view text);

} // namespace isr::rec
