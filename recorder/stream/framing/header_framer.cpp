#include "recorder/stream/framing/header_framer.hpp"

#include "recorder/stream/framing/id3.hpp"

namespace isr::rec::framing {

StreamInfo HeaderFramer::info() const {
    StreamInfo info;
    info.codec = latest_ ? latest_->codec : default_codec();
    if (latest_) {
        info.sample_rate = latest_->sample_rate;
        info.channels = latest_->channels;
    }
    info.bitrate_kbps = first_bitrate_kbps_;
    return info;
}

SyncFramer::Probe HeaderFramer::probe(std::size_t pos, Mode mode) {
    const auto data = buffered();
    if (const auto tag = id3v2_size(data.subspan(pos)); tag > 0) {
        if (tag > kMaxTagBytes)
            return reject();
        if (pos + tag + probe_bytes() > data.size())
            return need_more();
        // The tag belongs with the unit before it; the next unit is the frame after it.
        return probe(pos + tag, mode);
    }
    if (pos + header_bytes() > data.size())
        return need_more();
    const auto here = parse(data.subspan(pos));
    if (!here)
        return reject();
    if (mode == Mode::expected) {
        // Where the previous frame says a frame starts, one consistent header is enough.
        const auto head = parse(data);
        return head && head->family == here->family ? accept(pos) : reject();
    }
    // Anywhere else a sync word may be chance: it counts only if a consistent header follows.
    const auto following = pos + here->length;
    if (following + header_bytes() > data.size())
        return need_more();
    const auto after = parse(data.subspan(following));
    return after && after->family == here->family ? accept(pos) : reject();
}

std::optional<std::size_t> HeaderFramer::head_length() {
    const auto head = parse(buffered());
    if (!head)
        return std::nullopt;
    return head->length;
}

std::size_t HeaderFramer::unit_size(std::size_t end) {
    const auto frame = SyncFramer::unit_size(end);
    if (frame == 0 || frame >= end)
        return frame;
    const auto tag = id3v2_size(buffered().subspan(frame, end - frame));
    return tag > 0 && frame + tag <= end ? frame + tag : frame;
}

std::size_t HeaderFramer::skippable(std::size_t pos) {
    return id3v2_size(buffered().subspan(pos));
}

void HeaderFramer::describe(Unit& unit) {
    const auto head = parse(unit.bytes);
    if (!head)
        return;
    if (has_audio(unit.bytes)) {
        if (first_bitrate_kbps_ == 0)
            first_bitrate_kbps_ = head->bitrate_kbps;
        if (head->sample_rate > 0)
            unit.duration = static_cast<double>(head->samples) / head->sample_rate;
    }
    latest_ = head;
}

} // namespace isr::rec::framing
