#include "recorder/stream/framing/flac_framer.hpp"

#include "common/crc.hpp"

#include <algorithm>

namespace isr::rec::framing {

namespace {

bool starts_with_magic(std::span<const std::uint8_t> b) {
    return b.size() >= 4 && b[0] == 'f' && b[1] == 'L' && b[2] == 'a' && b[3] == 'C';
}

// Whether two frame headers can belong to one stream.
bool alike(const FlacFrameHeader& a, const FlacFrameHeader& b) {
    return a.variable_block_size == b.variable_block_size && a.channels == b.channels &&
           a.sample_rate == b.sample_rate && a.bits_per_sample == b.bits_per_sample;
}

// Whether a frame header agrees with a STREAMINFO (frames may defer rate and size to it).
bool matches(const FlacFrameHeader& f, const FlacStreamInfo& info) {
    return f.channels == info.channels &&
           (f.sample_rate == 0 || f.sample_rate == info.sample_rate) &&
           (f.bits_per_sample == 0 || f.bits_per_sample == info.bits_per_sample);
}

} // namespace

std::vector<std::uint8_t> FlacFramer::begin_file(const Unit&) {
    auto out = header_;
    if (!out.empty()) {
        // The stream's total sample count and MD5 describe the whole stream, not this file:
        // 0 says "unknown" for both, instead of a wrong length and a failing checksum.
        constexpr std::size_t kPackedAt = 4 + 4 + 10; // "fLaC", block header, sizes
        out[kPackedAt + 3] &= 0xF0;                   // low 4 bits: top of the sample count
        std::fill(out.begin() + kPackedAt + 4, out.begin() + kPackedAt + 8 + 16, 0);
    } else if (first_frame_) {
        // Joined mid-stream: a STREAMINFO built from the first frame header lets decoders open
        // the file. Sizes and the sample count are unknown (0), the MD5 is zero ("not set").
        const auto& f = *first_frame_;
        FlacStreamInfo s;
        s.min_block_size = f.variable_block_size ? 16 : f.block_size;
        s.max_block_size = f.variable_block_size ? 65535 : f.block_size;
        s.sample_rate = rate_of(f);
        s.channels = f.channels;
        s.bits_per_sample = f.bits_per_sample;
        if (s.sample_rate > 0 && s.bits_per_sample > 0)
            out = make_flac_stream_header(s);
    }
    file_has_header_ = !out.empty();
    return out;
}

void FlacFramer::adapt(Unit& unit) {
    if (!unit.is_header)
        return;
    if (!file_has_header_) {
        file_has_header_ = true;
        return;
    }
    const auto m = scan_flac_metadata(unit.bytes, kMaxHeaderBytes);
    if (m.status == FlacParse::ok)
        unit.bytes.erase(unit.bytes.begin(),
                         unit.bytes.begin() + static_cast<std::ptrdiff_t>(m.size));
}

StreamInfo FlacFramer::info() const {
    StreamInfo info;
    info.codec = "flac";
    if (stream_info_) {
        info.sample_rate = stream_info_->sample_rate;
        info.channels = stream_info_->channels;
    } else if (first_frame_) {
        info.sample_rate = first_frame_->sample_rate;
        info.channels = first_frame_->channels;
    }
    return info;
}

SyncFramer::Probe FlacFramer::probe(std::size_t pos, Mode mode) {
    const auto data = buffered();
    if (data[pos] == 'f')
        return probe_stream_header(pos);
    const auto scan = parse_flac_frame_header(data.subspan(pos));
    if (scan.status == FlacParse::incomplete)
        return need_more();
    if (scan.status == FlacParse::invalid)
        return reject();
    if (mode == Mode::expected) {
        // Right after a stream header, which may start a stream with new parameters.
        const auto m = scan_flac_metadata(data, kMaxHeaderBytes);
        return m.status == FlacParse::ok && matches(scan.header, m.info) ? accept(pos) : reject();
    }
    if (!consistent(scan.header, stream_info_))
        return reject();

    const auto head = parse_flac_frame_header(data);
    if (mode == Mode::fresh || head.status != FlacParse::ok)
        return confirm_frame(pos, scan.header);

    // Searching for the end of the head frame: its CRC-16 must match at the boundary.
    const std::size_t min_end = head.header.size + 2;
    while (crc_pos_ < pos) {
        crc_ = crc16_update(crc_, data[crc_pos_++]);
        if (crc_ == 0 && crc_pos_ >= min_end) {
            crc_matched_ = true;
            last_match_ = crc_pos_;
        }
    }
    if (crc_ == 0 && pos >= min_end)
        return accept(pos);
    if (!crc_matched_)
        return reject();
    // The head frame ended earlier and junk follows it: take the next frame in sequence, or
    // any frame its own CRC confirms (the stream may have restarted). The head ends at the
    // last place its CRC matched (an earlier match may be chance inside the frame).
    auto p = follows(head.header, scan.header) ? accept(pos) : confirm_frame(pos, scan.header);
    if (p.result == Probe::yes)
        unit_end_ = last_match_;
    return p;
}

SyncFramer::Probe FlacFramer::probe_stream_header(std::size_t pos) {
    const auto data = buffered();
    const auto m = scan_flac_metadata(data.subspan(pos), kMaxHeaderBytes);
    if (m.status == FlacParse::incomplete)
        return need_more();
    if (m.status == FlacParse::invalid)
        return reject();
    // A header is believed only with a matching frame after it.
    const auto frame = parse_flac_frame_header(data.subspan(pos + m.size));
    if (frame.status == FlacParse::incomplete)
        return need_more();
    if (frame.status == FlacParse::invalid)
        return reject();
    return matches(frame.header, m.info) ? accept(pos) : reject();
}

SyncFramer::Probe FlacFramer::confirm_frame(std::size_t pos, const FlacFrameHeader& frame) {
    const auto data = buffered();
    auto crc = crc16(data.subspan(pos, frame.size));
    const std::size_t min_end = pos + frame.size + 2;
    const std::size_t limit = pos + max_frame_bytes(frame);
    for (std::size_t r = pos + frame.size;; ++r) {
        if (r > limit)
            return reject();
        if (r >= data.size())
            return need_more();
        if (crc == 0 && r >= min_end && data[r] == 0xFF) {
            const auto next = parse_flac_frame_header(data.subspan(r));
            if (next.status == FlacParse::incomplete)
                return need_more();
            if (next.status == FlacParse::ok && alike(frame, next.header) &&
                follows(frame, next.header))
                return accept(pos);
        }
        crc = crc16_update(crc, data[r]);
    }
}

bool FlacFramer::consistent(const FlacFrameHeader& f,
                            const std::optional<FlacStreamInfo>& info) const {
    if (info && !matches(f, *info))
        return false;
    return !first_frame_ || alike(*first_frame_, f);
}

bool FlacFramer::follows(const FlacFrameHeader& a, const FlacFrameHeader& b) {
    return a.variable_block_size ? b.number == a.number + static_cast<std::uint64_t>(a.block_size)
                                 : b.number == a.number + 1;
}

std::size_t FlacFramer::max_frame_bytes(const FlacFrameHeader& f) const {
    // An encoder falls back to verbatim subframes, so no frame is larger than its raw samples
    // (one extra bit for a side channel) plus headers: a candidate is given up after that.
    int bits = f.bits_per_sample;
    if (bits == 0)
        bits = stream_info_ ? stream_info_->bits_per_sample : 32;
    const auto raw_bits = static_cast<std::size_t>(f.block_size) *
                          static_cast<std::size_t>(f.channels) * static_cast<std::size_t>(bits + 1);
    return raw_bits / 8 + 64;
}

int FlacFramer::rate_of(const FlacFrameHeader& f) const {
    if (f.sample_rate != 0)
        return f.sample_rate;
    return stream_info_ ? stream_info_->sample_rate : 0;
}

bool FlacFramer::whole_at_end(std::span<const std::uint8_t> rest) {
    // A frame ends with the CRC-16 of everything before it: the whole frame sums to zero.
    unit_end_.reset();
    return parse_flac_frame_header(rest).status == FlacParse::ok && crc16(rest) == 0;
}

std::size_t FlacFramer::unit_size(std::size_t end) {
    if (unit_end_)
        return std::min(*unit_end_, end);
    return SyncFramer::unit_size(end);
}

std::optional<std::size_t> FlacFramer::head_length() {
    const auto data = buffered();
    if (!starts_with_magic(data))
        return std::nullopt;
    const auto m = scan_flac_metadata(data, kMaxHeaderBytes);
    if (m.status != FlacParse::ok)
        return std::nullopt;
    return m.size;
}

void FlacFramer::describe(Unit& unit) {
    if (starts_with_magic(unit.bytes)) {
        const auto m = scan_flac_metadata(unit.bytes, kMaxHeaderBytes);
        unit.is_header = true;
        unit.cut_ok = false;
        if (m.status != FlacParse::ok)
            return;
        header_.assign(unit.bytes.begin(),
                       unit.bytes.begin() + static_cast<std::ptrdiff_t>(m.size));
        stream_info_ = m.info;
        first_frame_.reset(); // a new stream starts here
        unit.starts_stream = true;
        unit.codec = "flac";
        return;
    }
    const auto scan = parse_flac_frame_header(unit.bytes);
    if (scan.status != FlacParse::ok)
        return;
    const int rate = rate_of(scan.header);
    unit.duration = rate > 0 ? static_cast<double>(scan.header.block_size) / rate : 0.0;
}

void FlacFramer::on_new_head() {
    crc_pos_ = 0;
    crc_ = 0;
    crc_matched_ = false;
    last_match_ = 0;
    unit_end_.reset();
    const auto data = buffered();
    if (!first_frame_ && head_is_unit() && !data.empty() && data[0] == 0xFF) {
        const auto scan = parse_flac_frame_header(data);
        if (scan.status == FlacParse::ok)
            first_frame_ = scan.header;
    }
}

} // namespace isr::rec::framing
