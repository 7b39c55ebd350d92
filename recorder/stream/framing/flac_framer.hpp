#pragma once

#include "common/flac_header.hpp"
#include "recorder/stream/framing/sync_framer.hpp"

namespace isr::rec::framing {

// Native FLAC ("flac"): "fLaC" + metadata blocks form one header unit, each frame one unit.
// Frames do not give their length, so a frame ends where the next valid frame header starts
// and the frame's own CRC-16 agrees.
class FlacFramer final : public SyncFramer {
public:
    // The saved header with STREAMINFO's sample count and MD5 zeroed (they describe the whole
    // stream), or one synthesised from the first frame when the stream was joined mid-way.
    std::vector<std::uint8_t> begin_file(const Unit& first) override;
    // Drops the "fLaC" + metadata part of a header unit when the file already has a header
    // (begin_file() injected it, or an earlier header unit was written): a second header
    // would corrupt the file. Identity for frames.
    void adapt(Unit& unit) override;
    StreamInfo info() const override;
    std::string extension() const override { return ".flac"; }

private:
    // Metadata blocks may carry pictures; larger headers are treated as garbage.
    static constexpr std::size_t kMaxHeaderBytes = 4 << 20;
    // Searching for the end of a frame gives up after this: FLAC frames can reach a few MiB in
    // theory (65535 samples x 8 channels x 32 bits), real ones stay far below.
    static constexpr std::size_t kMaxFrameBytes = 1 << 20;

    Probe probe(std::size_t pos, Mode mode) override;
    std::size_t probe_bytes() const noexcept override { return 4; }
    bool may_start(std::uint8_t first) const noexcept override {
        return first == 0xFF || first == 'f';
    }
    std::optional<std::size_t> head_length() override;
    // A frame ends where its CRC-16 matched; junk may lie between that and the next frame.
    std::size_t unit_size(std::size_t end) override;
    bool whole_at_end(std::span<const std::uint8_t> rest) override;
    void describe(Unit& unit) override;
    void on_new_head() override;
    std::size_t max_scan_bytes() const noexcept override { return kMaxFrameBytes; }

    Probe probe_stream_header(std::size_t pos);
    // A frame at pos confirmed by its CRC-16 ending where a following frame header starts.
    Probe confirm_frame(std::size_t pos, const FlacFrameHeader& frame);
    bool consistent(const FlacFrameHeader& frame, const std::optional<FlacStreamInfo>& info) const;
    static bool follows(const FlacFrameHeader& a, const FlacFrameHeader& b);
    int rate_of(const FlacFrameHeader& frame) const;
    std::size_t max_frame_bytes(const FlacFrameHeader& frame) const;

    std::optional<FlacStreamInfo> stream_info_;  // from the latest "fLaC" header
    std::optional<FlacFrameHeader> first_frame_; // of the stream, for a synthesised header
    std::vector<std::uint8_t> header_;           // latest "fLaC" + metadata received
    // CRC-16 of the head frame's bytes [0, crc_pos_), advanced as the end is searched for.
    std::size_t crc_pos_ = 0;
    std::uint16_t crc_ = 0;
    bool crc_matched_ = false;   // the head frame's CRC matched at some end before crc_pos_
    std::size_t last_match_ = 0; // the latest such end
    // Where the head frame ends when the next frame was accepted after junk; nullopt: at the
    // next frame (or the end of the data).
    std::optional<std::size_t> unit_end_;
    bool file_has_header_ = false;
};

} // namespace isr::rec::framing
