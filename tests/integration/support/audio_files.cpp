#include "tests/integration/support/audio_files.hpp"

#include "tests/integration/support/process.hpp"

#include <sndfile.h>

#include <algorithm>

namespace isr::test {

std::optional<PcmFile> read_pcm_file(const std::filesystem::path& path, std::string* error) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f) {
        if (error)
            *error = sf_strerror(nullptr);
        return std::nullopt;
    }
    PcmFile out;
    out.rate = info.samplerate;
    out.channels = info.channels;
    out.samples.resize(static_cast<std::size_t>(info.frames * info.channels));
    out.frames = sf_readf_int(f, out.samples.data(), info.frames);
    out.samples.resize(static_cast<std::size_t>(out.frames * info.channels));
    sf_close(f);
    return out;
}

std::uint32_t counter_value(std::int32_t sample, int bits) {
    const auto u = static_cast<std::uint32_t>(sample);
    return (u >> (32 - bits)) & ((1u << bits) - 1u);
}

std::optional<std::size_t> counter_break(const std::vector<std::int32_t>& samples, int bits,
                                         std::optional<std::uint32_t> expect_first) {
    if (samples.empty())
        return std::nullopt;
    const std::uint32_t mask = (1u << bits) - 1u;
    if (expect_first && counter_value(samples[0], bits) != *expect_first)
        return 0;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        if (counter_value(samples[i], bits) != ((counter_value(samples[i - 1], bits) + 1) & mask))
            return i;
    }
    return std::nullopt;
}

std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir,
                                                        const std::string& ext) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
        if (e.is_regular_file() && e.path().extension() == ext)
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::vector<OggPage>> ogg_pages(const std::string& bytes) {
    std::vector<OggPage> pages;
    std::size_t at = 0;
    while (at + 27 <= bytes.size() && bytes.compare(at, 4, "OggS") == 0) {
        const auto u8 = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[at + i]); };
        const std::size_t segments = u8(26);
        if (at + 27 + segments > bytes.size())
            return std::nullopt;
        std::size_t body = 0;
        for (std::size_t i = 0; i < segments; ++i)
            body += u8(27 + i);
        std::int64_t granule = 0;
        for (int i = 7; i >= 0; --i)
            granule = static_cast<std::int64_t>((static_cast<std::uint64_t>(granule) << 8) |
                                                u8(6 + static_cast<std::size_t>(i)));
        std::uint32_t serial = 0;
        for (int i = 3; i >= 0; --i)
            serial = (serial << 8) | u8(14 + static_cast<std::size_t>(i));
        const auto size = 27 + segments + body;
        if (at + size > bytes.size())
            return std::nullopt;
        pages.push_back({u8(5), granule, serial, bytes.substr(at + 26, 1 + segments + body)});
        at += size;
    }
    if (at != bytes.size())
        return std::nullopt;
    return pages;
}

double longest_ogg_page_seconds(const std::vector<OggPage>& pages, int granule_rate) {
    std::int64_t previous = -1;
    std::int64_t longest = 0;
    for (const auto& p : pages) {
        if (p.granule <= 0)
            continue;
        if (previous > 0)
            longest = std::max(longest, p.granule - previous);
        previous = p.granule;
    }
    return static_cast<double>(longest) / granule_rate;
}

namespace {

// ffmpeg's content probe needs three ADTS frames to recognise AAC; a shorter file (a split just
// after a start) is read as what its extension says, like players do.
std::string input_args(const std::filesystem::path& file) {
    return std::string(file.extension() == ".aac" ? "-f aac " : "") + "-i '" + file.string() + "'";
}

} // namespace

double ffprobe_duration(const std::filesystem::path& file) {
    const auto r = run_command("ffprobe -v error -show_entries format=duration -of csv=p=0 " +
                               input_args(file));
    try {
        return r.status == 0 ? std::stod(r.output) : -1;
    } catch (const std::exception&) {
        return -1;
    }
}

std::string decode_errors(const std::filesystem::path& file) {
    return run_command("ffmpeg -nostdin -v error " + input_args(file) + " -f null -").output;
}

double decoded_seconds(const std::filesystem::path& file) {
    const auto r = run_command("ffmpeg -nostdin -v quiet " + input_args(file) +
                               " -ac 1 -ar 48000 -f s16le - | wc -c");
    try {
        return r.status == 0 ? std::stod(r.output) / (2 * 48000) : -1;
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace isr::test
