#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace isr::test {

struct PcmFile {
    int rate = 0;
    int channels = 0;
    std::int64_t frames = 0;
    std::vector<std::int32_t> samples; // full scale ±2^31, interleaved
};

// Reads a WAV or FLAC file with libsndfile. nullopt (with `error` set) when it cannot.
std::optional<PcmFile> read_pcm_file(const std::filesystem::path& path,
                                     std::string* error = nullptr);

// The isrtest plugin's counter signal: consecutive samples (interleaved) increase by one
// modulo 2^bits. Returns the index of the first sample that breaks the sequence, or nullopt.
// `expect_first` checks the first sample's counter value too.
std::optional<std::size_t> counter_break(const std::vector<std::int32_t>& samples, int bits,
                                         std::optional<std::uint32_t> expect_first = std::nullopt);
// The counter value carried by a sample.
std::uint32_t counter_value(std::int32_t sample, int bits);

// Audio files in `dir` (recursively) with the given extension, sorted by name.
std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir,
                                                        const std::string& ext);

// Ogg pages, with the fields isrd rewrites (granule, sequence, CRC) set apart from the data.
struct OggPage {
    std::uint8_t flags;
    std::int64_t granule;
    std::uint32_t serial;
    std::string payload; // segment table and body
};
// nullopt when `bytes` is not a sequence of whole Ogg pages.
std::optional<std::vector<OggPage>> ogg_pages(const std::string& bytes);
// The longest stretch of audio one page of the file completes, in seconds.
double longest_ogg_page_seconds(const std::vector<OggPage>& pages, int granule_rate);

// ffprobe's format duration, in seconds (-1 when ffprobe fails).
double ffprobe_duration(const std::filesystem::path& file);
// What `ffmpeg -v error -i FILE -f null -` prints: empty when the file decodes cleanly.
std::string decode_errors(const std::filesystem::path& file);
// Seconds of audio ffmpeg decodes from the file (-1 when it fails): what a player plays.
double decoded_seconds(const std::filesystem::path& file);

} // namespace isr::test
