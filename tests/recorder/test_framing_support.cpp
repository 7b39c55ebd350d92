#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace isr::rec::framing::test {

namespace fs = std::filesystem;

namespace {

int run(const std::string& command) {
    return std::system(command.c_str());
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Holds the generated streams of a whole test run.
const TempDir& cache_dir() {
    static const TempDir dir;
    return dir;
}

} // namespace

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = fs::temp_directory_path() / ("isr_framing_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(stamp) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

Bytes read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& file, std::span<const std::uint8_t> bytes) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + file.string());
}

const Bytes& encode(const std::string& output_options, double seconds, const std::string& source) {
    static std::map<std::string, Bytes> cache;
    const auto key = source + " " + output_options + " @" + std::to_string(seconds);
    if (auto it = cache.find(key); it != cache.end())
        return it->second;
    const auto file = cache_dir() / ("stream_" + std::to_string(cache.size()));
    const auto command = "ffmpeg -nostdin -v error -y -f lavfi -i " + source +
                         ":duration=" + std::to_string(seconds) + " " + output_options + " '" +
                         file.string() + "'";
    if (run(command) != 0)
        throw std::runtime_error("failed: " + command);
    return cache.emplace(key, read_bytes(file)).first->second;
}

double probe_duration(const fs::path& file) {
    const auto out = file.string() + ".duration";
    run("ffprobe -v error -show_entries format=duration -of csv=p=0 '" + file.string() + "' > '" +
        out + "' 2>&1");
    return std::stod(read_text(out));
}

Decoded decode(const fs::path& file) {
    const auto raw = file.string() + ".raw";
    const auto log = file.string() + ".log";
    const int rc = run("ffmpeg -nostdin -v error -y -i '" + file.string() +
                       "' -ac 1 -ar 48000 -f s16le '" + raw + "' 2> '" + log + "'");
    Decoded d;
    d.errors = read_text(log);
    if (rc != 0 && d.errors.empty())
        d.errors = "ffmpeg exit status " + std::to_string(rc);
    if (fs::exists(raw))
        d.seconds = double(fs::file_size(raw)) / (2 * 48000);
    return d;
}

std::string decode_errors(const fs::path& file) {
    const auto out = file.string() + ".errors";
    const int rc =
        run("ffmpeg -nostdin -v error -i '" + file.string() + "' -f null - > '" + out + "' 2>&1");
    auto text = read_text(out);
    if (rc != 0 && text.empty())
        text = "ffmpeg exit status " + std::to_string(rc);
    return text;
}

std::vector<Unit> feed(Framer& framer, std::span<const std::uint8_t> bytes, std::size_t max_chunk,
                       unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> chunk(1, max_chunk);
    std::vector<Unit> units;
    for (std::size_t pos = 0; pos < bytes.size();) {
        const auto n = std::min(chunk(rng), bytes.size() - pos);
        framer.push(bytes.subspan(pos, n));
        pos += n;
        while (auto unit = framer.next())
            units.push_back(std::move(*unit));
    }
    return units;
}

Bytes concat(const std::vector<Unit>& units) {
    Bytes out;
    for (const auto& u : units)
        out.insert(out.end(), u.bytes.begin(), u.bytes.end());
    return out;
}

double total_duration(const std::vector<Unit>& units) {
    double total = 0;
    for (const auto& u : units)
        total += u.duration;
    return total;
}

std::vector<OggPage> pages_of(std::span<const std::uint8_t> bytes) {
    std::vector<OggPage> pages;
    for (std::size_t at = 0; at < bytes.size();) {
        const auto check = check_ogg_page(bytes.subspan(at));
        REQUIRE(check.status == PageStatus::valid);
        pages.push_back(read_ogg_page(bytes.subspan(at)));
        at += check.size;
    }
    return pages;
}

Bytes slice(std::span<const std::uint8_t> bytes, std::size_t from, std::size_t n) {
    from = std::min(from, bytes.size());
    n = std::min(n, bytes.size() - from);
    return Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                 bytes.begin() + static_cast<std::ptrdiff_t>(from + n));
}

Bytes noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

Fed feed_from_start(Framer& framer, std::span<const std::uint8_t> stream, std::size_t max_chunk) {
    auto units = feed(framer, stream, max_chunk);
    REQUIRE(framer.synced());
    CHECK(framer.skipped_bytes() == 0);
    const auto got = concat(units);
    REQUIRE(got == slice(stream, 0, got.size()));
    return {std::move(units), slice(stream, got.size())};
}

Bytes with_junk_after(const std::vector<Unit>& units, std::size_t k, const Bytes& junk,
                      const Bytes& tail) {
    Bytes input;
    for (std::size_t i = 0; i < units.size(); ++i) {
        input.insert(input.end(), units[i].bytes.begin(), units[i].bytes.end());
        if (i == k)
            input.insert(input.end(), junk.begin(), junk.end());
    }
    input.insert(input.end(), tail.begin(), tail.end());
    return input;
}

void check_junk_skipped(const Framer& framer, const std::vector<Unit>& got,
                        const std::vector<Unit>& expected, const Bytes& junk) {
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        CHECK(got[i].bytes == expected[i].bytes);
        CHECK(got[i].duration == Approx(expected[i].duration));
    }
    CHECK(framer.junk_bytes() == junk.size());
    CHECK(framer.resyncs() == 1);
}

} // namespace isr::rec::framing::test
