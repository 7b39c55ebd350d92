#include "recorder/stream/framing/ogg_framer.hpp"

#include "recorder/stream/framing/ogg_cut.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec::framing {

namespace {

// adapt() is called right after next() in practice; this covers a generous lag.
constexpr std::size_t kRecentPages = 256;
// Streams whose headers are kept: files start with pages of the latest one or, when a chain
// arrived in the same read, of the one before.
constexpr std::size_t kKeptStreams = 4;

} // namespace

const OggFramer::Headers* OggFramer::headers_for(std::uint32_t id) const noexcept {
    for (auto it = history_.rbegin(); it != history_.rend(); ++it)
        if (it->id == id)
            return &*it;
    return history_.empty() ? nullptr : &history_.back();
}

const OggFramer::Headers* OggFramer::headers_of_serial(std::uint32_t serial) const noexcept {
    for (auto it = history_.rbegin(); it != history_.rend(); ++it)
        if (it->serial == serial)
            return &*it;
    return nullptr;
}

std::vector<std::uint8_t> OggFramer::begin_file(const Unit& first) {
    file_ = {};
    std::vector<std::uint8_t> out;
    const auto* headers = headers_for(first.stream);
    if (!headers)
        return out;
    std::uint32_t sequence = 0;
    for (auto page : headers->pages) {
        const auto view = read_ogg_page(page);
        file_.injected.emplace_back(view.serial, view.sequence);
        if (view.sequence != sequence) {
            set_ogg_sequence(page, sequence);
            refresh_ogg_crc(std::span(page).first(view.size));
        }
        out.insert(out.end(), page.begin(), page.end());
        ++sequence;
    }
    if (!headers->pages.empty()) {
        file_.serial = headers->serial;
        file_.next_sequence = sequence;
    }
    return out;
}

void OggFramer::adapt(Unit& unit) {
    if (check_ogg_page(unit.bytes).status != PageStatus::valid)
        return; // garbage only
    const auto view = read_ogg_page(unit.bytes);
    const std::pair key{view.serial, view.sequence};
    if (unit.is_header &&
        std::find(file_.injected.begin(), file_.injected.end(), key) != file_.injected.end()) {
        unit.bytes.erase(unit.bytes.begin(),
                         unit.bytes.begin() + static_cast<std::ptrdiff_t>(view.size));
        return;
    }
    if (view.bos() || !file_.serial) {
        // A stream whose headers are inside this file (a chain, or the stream's very start)
        // keeps its own timeline: nothing of it came before this file.
        file_.serial = view.serial;
        file_.next_sequence = 0;
        file_.granule_base = view.bos() ? std::optional<std::int64_t>(0) : std::nullopt;
    }
    if (view.serial != *file_.serial)
        return; // another logical stream: left as it came

    std::int64_t granule = view.granule;
    // A page on which no packet ends (-1) has nothing to rebase, nor does it say where the file's
    // audio starts: the first page that completes a packet does (the page before it is often
    // the second part of one that split() cut before a packet going on to the next page).
    if (!unit.is_header && granule >= 0) {
        if (!file_.granule_base)
            file_.granule_base = granule_before(view, unit);
        const auto base = *file_.granule_base;
        granule -= base;
        // Opus decoders drop pre-skip samples at the start of every file. The stream's first
        // file had them counted in its granules already; a later file's first pages hold real
        // audio, so the pre-skip is added back to keep the file's decoded length (last granule
        // - pre-skip) equal to the audio it holds.
        if (const auto* headers = headers_of_serial(view.serial); base > 0 && headers)
            granule += headers->pre_skip;
        granule = std::max<std::int64_t>(granule, 0);
    }
    const auto sequence = file_.next_sequence++;
    if (granule == view.granule && sequence == view.sequence)
        return;
    const auto page = std::span(unit.bytes).first(view.size);
    set_ogg_granule(page, granule);
    set_ogg_sequence(page, sequence);
    refresh_ogg_crc(page);
}

std::optional<std::pair<Unit, Unit>> OggFramer::split(const Unit& unit, double seconds) const {
    const auto check = check_ogg_page(unit.bytes);
    if (unit.is_header || unit.stream == 0 || std::isnan(seconds) ||
        check.status != PageStatus::valid)
        return std::nullopt;
    const auto page = read_ogg_page(unit.bytes);
    // The stream the unit belongs to, not the latest: a chain may have begun since.
    const auto it = std::find_if(history_.begin(), history_.end(),
                                 [&](const Headers& h) { return h.id == unit.stream; });
    if (it == history_.end() || it->serial != page.serial || !it->packet_samples ||
        it->granule_rate <= 0 || page.granule < 0)
        return std::nullopt;
    const double rate = it->granule_rate;
    // Durations beyond any real page (a granule jump in a hostile stream) are no timeline.
    if (!(unit.duration > 0) || unit.duration * rate > 1e15)
        return std::nullopt;

    OggPageTiming timing;
    timing.samples = std::llround(unit.duration * rate);
    if (const auto* e = emitted(page)) {
        timing.head_before = e->head_before;
        timing.exact = e->exact;
    }
    const auto target = std::llround(std::clamp(seconds, 0.0, unit.duration) * rate);
    const auto cut = plan_ogg_cut(page, *it->packet_samples, timing, target);
    if (!cut)
        return std::nullopt;

    const auto second_samples = timing.samples - cut->first_samples;
    if (second_samples > page.granule)
        return std::nullopt; // a granule below the page's own audio: no timeline to cut
    auto [first_page, second_page] = split_ogg_page(std::span(unit.bytes).first(check.size),
                                                    cut->segments, page.granule - second_samples);
    std::pair<Unit, Unit> parts{unit, Unit{}};
    auto& [first, second] = parts;
    first.bytes = std::move(first_page);
    second.bytes = std::move(second_page);
    second.stream = unit.stream;
    second.cut_ok = true; // it starts with a packet
    // adapt() finds where a part's audio starts from its granule and duration.
    second.duration = static_cast<double>(second_samples) / rate;
    first.duration = unit.duration - second.duration;
    return parts;
}

StreamInfo OggFramer::info() const {
    StreamInfo info;
    if (stream_.codec) {
        info.codec = stream_.codec->codec;
        info.sample_rate = stream_.codec->sample_rate;
        info.channels = stream_.codec->channels;
        info.bitrate_kbps = stream_.codec->bitrate_kbps;
    }
    return info;
}

std::string OggFramer::extension() const {
    if (!stream_.codec)
        return default_extension_;
    return stream_.codec->codec == "opus" ? ".opus" : ".ogg";
}

SyncFramer::Probe OggFramer::probe(std::size_t pos, Mode) {
    // The CRC is evidence enough in every mode.
    const auto check = check_ogg_page(buffered().subspan(pos));
    switch (check.status) {
    case PageStatus::valid:
        return accept(pos);
    case PageStatus::incomplete:
        return need_more();
    case PageStatus::invalid:
        break;
    }
    return reject();
}

std::optional<std::size_t> OggFramer::head_length() {
    const auto check = check_ogg_page(buffered());
    if (check.status != PageStatus::valid)
        return std::nullopt;
    return check.size;
}

std::size_t OggFramer::unit_size(std::size_t end) {
    const auto len = head_length();
    return len && *len <= end ? *len : 0;
}

void OggFramer::describe(Unit& unit) {
    const auto page = read_ogg_page(unit.bytes);
    if (page.bos()) {
        start_stream(page);
        unit.starts_stream = true;
        unit.codec = stream_.codec ? stream_.codec->codec : std::string();
    }
    const bool ours = stream_.known && page.serial == stream_.serial;
    // The packet begun before this page, known when the page follows the stream's previous one.
    PacketHead head_before;
    bool follows = false;
    if (ours) {
        unit.stream = stream_.id;
        follows = stream_.last_sequence && page.sequence == *stream_.last_sequence + 1;
        if (follows)
            head_before = stream_.last_head;
        track_packets(page);
    }
    if (ours && !stream_.headers_done && !page.bos() && stream_.last_header_sequence &&
        page.sequence != *stream_.last_header_sequence + 1) {
        // A header page is missing (it failed its CRC, say): no decoder can use this stream.
        stream_.broken = true;
        stream_.headers_done = true;
        history_.back().pages.clear();
    }
    if (ours && !stream_.headers_done && is_header_page(page)) {
        stream_.last_header_sequence = page.sequence;
        unit.is_header = true;
        unit.cut_ok = false;
        history_.back().pages.emplace_back(
            unit.bytes.begin(), unit.bytes.begin() + static_cast<std::ptrdiff_t>(page.size));
        return;
    }
    // Pages of a stream whose BOS was missed pass through; without headers a file cannot
    // start with them anyway, but cutting between whole packets keeps them well-formed.
    unit.cut_ok = (ours || !stream_.known) && !page.continued();
    if (ours && !history_.back().audio_started) {
        auto& headers = history_.back();
        headers.audio_started = true;
        if (stream_.codec)
            headers.packet_samples = OggPacketSamples::from_headers(
                stream_.codec->codec, join_ogg_packets(headers.pages));
    }
    // Granules count from the page before; a page right after the headers may be trimmed at
    // the start, one after a gap counts what the gap lost.
    const bool exact = ours && follows && stream_.audio_seen;
    std::int64_t before = stream_.last_granule;
    if (ours && page.granule >= 0 && !stream_.audio_seen) {
        stream_.audio_seen = true;
        // Icecast's burst on connect: the stream's headers, then pages from its middle. The
        // first of those has a granule counting every sample since the stream began (days, on a
        // long-running station), not its own length.
        if (stream_.last_header_sequence && page.sequence != *stream_.last_header_sequence + 1)
            before = page.granule - joined_page_samples(page, unit.bytes.size());
    }
    if (ours && page.granule >= 0) {
        const int rate = stream_.codec ? stream_.codec->granule_rate : 0;
        // Granules count samples up to the end of the page; the first audio page is measured
        // from 0, so for Opus it also counts the pre-skip (the stream's decoded length is
        // the sum minus pre-skip).
        if (rate > 0 && page.granule > before)
            unit.duration = static_cast<double>(page.granule - before) / rate;
        stream_.last_granule = page.granule;
    }
    recent_.push_back({page.serial, page.sequence, before, page.size, head_before, exact});
    if (recent_.size() > kRecentPages)
        recent_.pop_front();
}

std::int64_t OggFramer::joined_page_samples(const OggPage& page, std::size_t unit_size) const {
    // A stream's pages hold about equal durations (an encoder fills them to a size or a time),
    // so the page after it, buffered already (a page is returned once the next one is
    // verified), gives the length. At the end of a connection there is none: count nothing.
    // The unit (the page and any garbage after it) is still at the head of buffered().
    const auto rest = buffered().subspan(std::min(unit_size, buffered().size()));
    if (check_ogg_page(rest).status != PageStatus::valid)
        return 0;
    const auto next = read_ogg_page(rest);
    if (next.serial != page.serial || next.granule <= page.granule)
        return 0;
    return std::min(next.granule - page.granule, page.granule);
}

void OggFramer::start_stream(const OggPage& bos) {
    // A BOS page starts a new logical stream: a chain (with or without an EOS before it).
    stream_ = {};
    stream_.known = true;
    stream_.id = next_id_++;
    stream_.serial = bos.serial;
    const auto packets = bos.packet_starts();
    if (!packets.empty())
        stream_.codec = identify_ogg_codec(packets.front());
    Headers headers;
    headers.id = stream_.id;
    headers.serial = bos.serial;
    headers.pre_skip =
        stream_.codec && stream_.codec->codec == "opus" ? stream_.codec->pre_skip : 0;
    headers.granule_rate = stream_.codec ? stream_.codec->granule_rate : 0;
    history_.push_back(std::move(headers));
    if (history_.size() > kKeptStreams)
        history_.pop_front();
}

bool OggFramer::usable(const Unit& unit) const {
    // Without the BOS page and every header page after it, a stream's pages decode to nothing:
    // written into a file, they would make it unplayable.
    const auto page = read_ogg_page(unit.bytes);
    if (!stream_.known)
        return false;
    return !(page.serial == stream_.serial && stream_.broken);
}

bool OggFramer::is_header_page(const OggPage& page) {
    if (!stream_.codec) {
        // Unknown codec: only its BOS page is known to be a header.
        stream_.headers_done = true;
        return page.bos();
    }
    if (stream_.codec->header_packets >= 0) {
        stream_.header_packets_seen += page.packets_completed();
        if (stream_.header_packets_seen >= stream_.codec->header_packets)
            stream_.headers_done = true;
        return true;
    }
    // FLAC mapping without a header count: metadata packets until the first audio frame, or
    // until the metadata block flagged as the last one.
    const auto packets = page.packet_starts();
    if (!page.bos() && !page.continued() && !packets.empty() &&
        is_ogg_flac_audio_packet(packets.front())) {
        stream_.headers_done = true;
        return false;
    }
    for (std::size_t i = page.bos() ? 1 : 0; i < packets.size(); ++i) {
        const auto& p = packets[i];
        if (is_ogg_flac_audio_packet(p) || (!p.empty() && (p[0] & 0x80)))
            stream_.headers_done = true;
    }
    return true;
}

std::int64_t OggFramer::granule_before(const OggPage& page, const Unit& unit) const {
    if (const auto* e = emitted(page))
        return e->granule_before;
    // A part of a page that split() cut, or a page adapted long after it was received: it
    // starts its duration before its end.
    const auto* headers = headers_of_serial(page.serial);
    const int rate = headers         ? headers->granule_rate
                     : stream_.codec ? stream_.codec->granule_rate
                                     : 0;
    if (page.granule < 0)
        return 0;
    return page.granule - std::llround(unit.duration * rate);
}

const OggFramer::Emitted* OggFramer::emitted(const OggPage& page) const noexcept {
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it)
        if (it->serial == page.serial && it->sequence == page.sequence && it->size == page.size)
            return &*it;
    return nullptr;
}

void OggFramer::track_packets(const OggPage& page) {
    const bool follows = stream_.last_sequence && page.sequence == *stream_.last_sequence + 1;
    stream_.last_sequence = page.sequence;
    const auto starts = page.packet_starts();
    if (!starts.empty())
        stream_.last_head = PacketHead::of(starts.back());
    else if (!follows)
        stream_.last_head = {}; // the middle of a packet whose start was missed
}

} // namespace isr::rec::framing
