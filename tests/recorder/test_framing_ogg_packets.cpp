// The packet lengths that OggFramer::split() cuts pages by (Opus TOC, FLAC frame headers, Vorbis
// windows), checked against the granules of real ffmpeg streams.
#include "recorder/stream/framing/ogg_packet_samples.hpp"
#include "recorder/stream/framing/vorbis_blocks.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

constexpr const char* kSine = "sine=frequency=440";
// A beep every second: transients, which make Vorbis switch to short windows.
constexpr const char* kBeeps = "sine=frequency=440:beep_factor=4";

struct PacketCase {
    const char* name;
    const char* codec;
    const char* options;
    double seconds;
    const char* source;
    int header_packets;
    int max_packet_samples;     // the longest packet, for the first and last pages' trimming
    bool short_windows = false; // Vorbis: transients make the encoder use short windows
};

const PacketCase kPacketCases[] = {
    {"Opus, CELT 20 ms", "opus", "-ac 2 -ar 48000 -c:a libopus -f ogg", 3.0, kBeeps, 2, 960},
    {"Opus, 60 ms packets of three frames (code 3)", "opus",
     "-ac 2 -ar 48000 -c:a libopus -frame_duration 60 -f ogg", 3.0, kBeeps, 2, 2880},
    {"Opus, SILK (VoIP)", "opus", "-ac 1 -ar 16000 -c:a libopus -application voip -b:a 12k -f ogg",
     3.0, kBeeps, 2, 960},
    {"Opus, packets across pages", "opus",
     "-ac 2 -ar 48000 -c:a libopus -b:a 510k -vbr off -page_duration 2000000 -f ogg", 4.0, kSine, 2,
     960},
    {"Vorbis, short and long windows", "vorbis", "-ac 2 -ar 44100 -c:a libvorbis -f ogg", 4.0,
     kBeeps, 3, 1024, true},
    {"Vorbis, packets across pages", "vorbis",
     "-ac 2 -ar 44100 -c:a libvorbis -q:a 10 -page_duration 10000000 -f ogg", 8.0, kSine, 3, 1024},
    {"Vorbis, mono 22050 Hz", "vorbis", "-ac 1 -ar 22050 -c:a libvorbis -f ogg", 3.0, kBeeps, 3,
     1024},
    {"FLAC in Ogg", "flac", "-ac 1 -ar 32000 -c:a flac -f ogg", 3.0, kBeeps, 2, 4608},
    {"FLAC in Ogg, packets across pages", "flac",
     "-ac 2 -ar 44100 -c:a flac -page_duration 10000000 -f ogg", 6.0, kSine, 2, 4608},
};

// Each page of a stream of valid pages, as bytes.
std::vector<Bytes> page_bytes(std::span<const std::uint8_t> stream) {
    std::vector<Bytes> pages;
    for (std::size_t at = 0; at < stream.size();) {
        const auto size = check_ogg_page(stream.subspan(at)).size;
        REQUIRE(size > 0);
        pages.push_back(slice(stream, at, size));
        at += size;
    }
    return pages;
}

// For each page, the packets that end on it, joined across pages.
std::vector<std::vector<Bytes>> packets_by_page(std::span<const std::uint8_t> stream) {
    const auto pages = page_bytes(stream);
    std::vector<std::vector<Bytes>> out;
    std::size_t done = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        auto all = join_ogg_packets(std::span(pages).first(i + 1));
        out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(done), all.end());
        done = all.size();
    }
    return out;
}

// Writes Vorbis-style (lowest bit first) bit fields.
class BitWriter {
public:
    void put(std::uint32_t value, int bits) {
        for (int i = 0; i < bits; ++i, ++count_) {
            if (count_ % 8 == 0)
                bytes_.push_back(0);
            bytes_.back() |= static_cast<std::uint8_t>(((value >> i) & 1u) << (count_ % 8));
        }
    }
    const Bytes& bytes() const noexcept { return bytes_; }

private:
    Bytes bytes_;
    std::size_t count_ = 0;
};

// A setup header whose codebooks, floors, residues and mappings are `filler` random bits,
// followed by the mode count and `modes` (block flag and mapping number each).
Bytes setup_header(const std::vector<std::pair<bool, int>>& modes, int filler) {
    BitWriter w;
    for (char c : std::string("\x05vorbis"))
        w.put(static_cast<std::uint8_t>(c), 8);
    const auto random = noise(static_cast<std::size_t>(filler), 3);
    for (int i = 0; i < filler; ++i)
        w.put(random[static_cast<std::size_t>(i)] & 1u, 1);
    w.put(static_cast<std::uint32_t>(modes.size() - 1), 6);
    for (const auto& [long_window, mapping] : modes) {
        w.put(long_window ? 1 : 0, 1);
        w.put(0, 16); // window type
        w.put(0, 16); // transform type
        w.put(static_cast<std::uint32_t>(mapping), 8);
    }
    w.put(1, 1); // framing bit
    return w.bytes();
}

Bytes identification_header(int short_exp, int long_exp) {
    Bytes id(30, 0);
    const std::string magic = "\x01vorbis";
    std::copy(magic.begin(), magic.end(), id.begin());
    id[11] = 2;
    id[12] = 0x44; // 44100 Hz
    id[13] = 0xAC;
    id[28] = static_cast<std::uint8_t>(short_exp | (long_exp << 4));
    id[29] = 1;
    return id;
}

} // namespace

TEST_CASE("Ogg packet lengths add up to each page's granule", "[recorder][ogg]") {
    for (const auto& c : kPacketCases) {
        SECTION(c.name) {
            const auto& stream = encode(c.options, c.seconds, c.source);
            const auto pages = pages_of(stream);
            const auto by_page = packets_by_page(stream);
            std::vector<Bytes> headers;
            for (const auto& packets : by_page)
                for (const auto& p : packets)
                    if (headers.size() < std::size_t(c.header_packets))
                        headers.push_back(p);
            const auto lengths = OggPacketSamples::from_headers(c.codec, headers);
            REQUIRE(lengths);

            Bytes previous = headers.back();
            std::size_t seen = 0;
            std::int64_t granule_before = 0;
            bool first_audio = true;
            std::set<int> kinds;
            std::size_t without_previous = 0;
            for (std::size_t i = 0; i < pages.size(); ++i) {
                CAPTURE(i);
                std::int64_t sum = 0;
                for (const auto& packet : by_page[i]) {
                    if (seen++ < std::size_t(c.header_packets))
                        continue;
                    const auto samples = lengths->samples(packet, previous);
                    REQUIRE(samples);
                    sum += *samples;
                    kinds.insert(*samples);
                    // Without its predecessor a packet's length is unknown or the same.
                    if (const auto alone = lengths->samples(packet, {})) {
                        CHECK(*alone == *samples);
                        ++without_previous;
                    }
                    previous = packet;
                }
                if (seen <= std::size_t(c.header_packets) || pages[i].granule < 0)
                    continue;
                const auto held = pages[i].granule - granule_before;
                if (first_audio || pages[i].eos()) {
                    // Trimmed at the start (encoder delay) or the end (padding) by the granule.
                    CHECK(sum >= held);
                    CHECK(sum - held <= c.max_packet_samples);
                } else {
                    CHECK(sum == held);
                }
                first_audio = false;
                granule_before = pages[i].granule;
            }
            CHECK_FALSE(first_audio);
            CHECK(without_previous > 0);
            // Besides the first packet (0) and long after long: windows of both sizes.
            if (c.short_windows)
                CHECK(kinds.size() > 2);
        }
    }
}

TEST_CASE("Vorbis window sizes and modes from libvorbis headers", "[recorder][ogg]") {
    const auto& stream = encode("-ac 2 -ar 44100 -c:a libvorbis -f ogg", 1.0);
    const auto packets = join_ogg_packets(page_bytes(stream));
    REQUIRE(packets.size() > 3);
    const auto blocks = parse_vorbis_blocks(packets[0], packets[2]);
    REQUIRE(blocks);
    CHECK(blocks->blocksize == std::array<int, 2>{256, 2048});
    // The mode count before the two modes also reads as one mode (the second mode's mapping
    // bits look like a count of 1): the longer run wins, as in FFmpeg.
    CHECK(blocks->long_mode == std::vector<bool>{false, true});
    CHECK(blocks->mode_bits == 1);
    // The comment header is no setup header; an audio packet is no identification header.
    CHECK_FALSE(parse_vorbis_blocks(packets[0], packets[1]));
    CHECK_FALSE(parse_vorbis_blocks(packets[3], packets[2]));
}

TEST_CASE("Vorbis modes are read backward from the setup header's framing bit", "[recorder][ogg]") {
    const auto id = identification_header(8, 11);
    using Modes = std::vector<std::pair<bool, int>>;
    for (const auto& modes : {Modes{{true, 0}}, Modes{{false, 0}, {true, 1}},
                              Modes{{false, 0}, {true, 1}, {false, 2}, {true, 3}, {true, 0}}}) {
        CAPTURE(modes.size());
        for (const int filler : {0, 13, 200}) {
            CAPTURE(filler);
            const auto blocks = parse_vorbis_blocks(id, setup_header(modes, filler));
            REQUIRE(blocks);
            CHECK(blocks->blocksize == std::array<int, 2>{256, 2048});
            REQUIRE(blocks->long_mode.size() == modes.size());
            for (std::size_t i = 0; i < modes.size(); ++i)
                CHECK(blocks->long_mode[i] == modes[i].first);
        }
    }

    // Packets: type bit 0, then the mode number, then (long windows) the previous window flag.
    const auto two = parse_vorbis_blocks(id, setup_header({{false, 0}, {true, 1}}, 40));
    REQUIRE(two);
    const Bytes short_packet{0x00};
    const Bytes long_after_long{0x02 | 0x04};
    const Bytes long_after_short{0x02};
    const Bytes header_packet{0x05};
    CHECK(vorbis_packet_samples(*two, short_packet, short_packet) == 64 + 64);
    CHECK(vorbis_packet_samples(*two, short_packet, long_after_long) == 512 + 64);
    CHECK_FALSE(vorbis_packet_samples(*two, short_packet, {}));
    CHECK(vorbis_packet_samples(*two, long_after_long, {}) == 512 + 512);
    CHECK(vorbis_packet_samples(*two, long_after_short, {}) == 64 + 512);
    CHECK(vorbis_packet_samples(*two, long_after_long, header_packet) == 0);
    CHECK_FALSE(vorbis_packet_samples(*two, header_packet, short_packet));
    CHECK_FALSE(vorbis_packet_samples(*two, {}, short_packet));

    SECTION("headers that are not Vorbis's, or damaged, give nothing") {
        const auto setup = setup_header({{false, 0}, {true, 1}}, 40);
        CHECK_FALSE(parse_vorbis_blocks(identification_header(5, 11), setup)); // 32: too short
        CHECK_FALSE(parse_vorbis_blocks(identification_header(11, 8), setup)); // short > long
        CHECK_FALSE(parse_vorbis_blocks(identification_header(8, 14), setup)); // 16384: too long
        CHECK_FALSE(parse_vorbis_blocks(slice(id, 0, 29), setup));
        Bytes no_magic = setup;
        no_magic[1] = 'V';
        CHECK_FALSE(parse_vorbis_blocks(id, no_magic));
        Bytes zeros(200, 0);
        std::copy(setup.begin(), setup.begin() + 7, zeros.begin());
        CHECK_FALSE(parse_vorbis_blocks(id, zeros)); // no framing bit
        Bytes garbage = noise(400, 11);
        std::copy(setup.begin(), setup.begin() + 7, garbage.begin());
        CHECK_FALSE(parse_vorbis_blocks(id, garbage)); // no run of modes a count confirms
        for (std::size_t n = 0; n < setup.size(); ++n)
            static_cast<void>(parse_vorbis_blocks(id, slice(setup, 0, n))); // never reads past
    }
}

TEST_CASE("Opus packet lengths from the TOC byte (RFC 6716, 3.1)", "[recorder][ogg]") {
    struct Toc {
        Bytes packet;
        std::optional<int> samples;
    };
    const Toc cases[] = {
        {{0x00}, 480},        // SILK 10 ms, one frame
        {{0x08}, 960},        // SILK 20 ms
        {{0x10}, 1920},       // SILK 40 ms
        {{0x18}, 2880},       // SILK 60 ms
        {{0x60}, 480},        // hybrid 10 ms
        {{0x68}, 960},        // hybrid 20 ms
        {{0x80}, 120},        // CELT 2.5 ms
        {{0xF8}, 960},        // CELT 20 ms
        {{0xF9}, 1920},       // two frames, equal sizes
        {{0xFA, 0x10}, 1920}, // two frames, sizes given
        {{0xFB, 0x03}, 2880}, // code 3: three frames
        {{0xFB, 0xC3}, 2880}, // code 3 with the VBR and padding flags
        {{0xFB, 0x06}, 5760}, // 120 ms, the most a packet may hold
        {{0x1B, 0x03}, {}},   // 3 x 60 ms: too long
        {{0xFB, 0x00}, {}},   // no frames
        {{0xFB}, {}},         // the frame count is missing
        {{}, {}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.packet);
        CHECK(opus_packet_samples(c.packet) == c.samples);
    }
}
