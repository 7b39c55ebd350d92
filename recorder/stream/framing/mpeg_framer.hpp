#pragma once

#include "recorder/stream/framing/header_framer.hpp"

namespace isr::rec::framing {

// The header of an MPEG-1/2/2.5 layer I/II/III audio frame at bytes[0] (4 bytes needed), or
// nullopt when it is not a valid one (free-format and reserved values are rejected).
std::optional<FrameHeader> parse_mpeg_header(std::span<const std::uint8_t> bytes);

// Whether a whole layer III frame is an encoder's Xing/Info or VBRI tag frame: it carries
// stream metadata and decoders output nothing for it.
bool is_mpeg_tag_frame(std::span<const std::uint8_t> frame);

// MPEG audio ("mp3", also carries layers I and II).
class MpegFramer final : public HeaderFramer {
public:
    std::string extension() const override { return ".mp3"; }

private:
    std::optional<FrameHeader> parse(std::span<const std::uint8_t> bytes) const override {
        return parse_mpeg_header(bytes);
    }
    std::size_t header_bytes() const noexcept override { return 4; }
    std::string default_codec() const override { return "mp3"; }
    bool has_audio(std::span<const std::uint8_t> frame) const override;
};

} // namespace isr::rec::framing
