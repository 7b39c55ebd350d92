#pragma once

#include "recorder/stream/framing/header_framer.hpp"

namespace isr::rec::framing {

// The ADTS header at bytes[0] (7 bytes needed), or nullopt when it is not a valid one.
std::optional<FrameHeader> parse_adts_header(std::span<const std::uint8_t> bytes);

// AAC in ADTS frames ("aac").
class AdtsFramer final : public HeaderFramer {
public:
    std::string extension() const override { return ".aac"; }

private:
    std::optional<FrameHeader> parse(std::span<const std::uint8_t> bytes) const override {
        return parse_adts_header(bytes);
    }
    std::size_t header_bytes() const noexcept override { return 7; }
    std::string default_codec() const override { return "aac"; }
};

} // namespace isr::rec::framing
