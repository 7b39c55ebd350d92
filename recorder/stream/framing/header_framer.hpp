#pragma once

#include "recorder/stream/framing/sync_framer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace isr::rec::framing {

// What a self-delimiting frame header (MPEG audio, ADTS) says.
struct FrameHeader {
    std::size_t length = 0; // whole frame, header included
    int samples = 0;        // per channel
    int sample_rate = 0;
    int channels = 0;         // 0 when the header does not say
    int bitrate_kbps = 0;     // 0 when the header does not say
    std::uint32_t family = 0; // fields every frame of one stream shares
    std::string codec;
};

// Framing for formats whose every frame header gives the frame's length. ID3v2 tags are
// skipped before the first frame and appended to the previous unit mid-stream.
class HeaderFramer : public SyncFramer {
public:
    std::vector<std::uint8_t> begin_file(const Unit&) override { return {}; }
    void adapt(Unit&) override {}
    StreamInfo info() const override;

protected:
    // The header at bytes[0] (header_bytes() available), or nullopt when it is not valid.
    virtual std::optional<FrameHeader> parse(std::span<const std::uint8_t> bytes) const = 0;
    virtual std::size_t header_bytes() const noexcept = 0;
    virtual std::string default_codec() const = 0;
    // False for a frame that decodes to nothing (an MP3 encoder's Xing/Info/VBRI frame).
    virtual bool has_audio(std::span<const std::uint8_t> frame) const {
        (void)frame;
        return true;
    }

private:
    // Tag bytes are worth buffering up to this size to know what follows them; a larger tag is
    // scanned through as garbage.
    static constexpr std::size_t kMaxTagBytes = 1 << 20;

    Probe probe(std::size_t pos, Mode mode) override;
    // Enough for an ID3v2 tag header, the longest thing probed at a position.
    std::size_t probe_bytes() const noexcept override { return 10; }
    bool may_start(std::uint8_t first) const noexcept override {
        return first == 0xFF || first == 'I';
    }
    std::optional<std::size_t> head_length() override;
    // The frame, and an ID3 tag that directly follows it (metadata players skip, not junk).
    std::size_t unit_size(std::size_t end) override;
    std::size_t skippable(std::size_t pos) override;
    void describe(Unit& unit) override;

    std::optional<FrameHeader> latest_;
    int first_bitrate_kbps_ = 0;
};

} // namespace isr::rec::framing
