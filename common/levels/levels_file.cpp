#include "common/levels/levels_file.hpp"

#include "common/crc.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace isr {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'I', 'S', 'R', 'L', 'V', 'L', '\0', '\2'};
constexpr std::uint32_t kComplete = 1;
constexpr std::uint32_t kRecorded = 2;

#pragma pack(push, 1)
struct Header {
    char magic[8];
    std::uint32_t version;
    std::uint32_t flags;
    std::uint32_t sample_rate;
    std::uint32_t channels;
    std::uint32_t window_frames;
    std::uint32_t count; // windows; an unfinished file's body says
    std::uint64_t inode;
    std::uint64_t file_size;
    std::int64_t mtime_ns;
    std::int64_t frames;
    double duration;
    std::uint32_t body_crc; // complete files only
    std::uint32_t header_crc;
};
#pragma pack(pop)
static_assert(sizeof(Header) == 80);

std::uint32_t header_crc(const Header& h) noexcept {
    return crc32({reinterpret_cast<const std::uint8_t*>(&h), offsetof(Header, header_crc)});
}

Header make_header(int rate, int channels, const LevelsStamp& stamp, std::size_t count,
                   double duration, std::uint32_t body_crc) {
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kLevelsVersion;
    h.flags = (stamp.complete ? kComplete : 0) | (stamp.recorded ? kRecorded : 0);
    h.sample_rate = static_cast<std::uint32_t>(rate);
    h.channels = static_cast<std::uint32_t>(channels);
    h.window_frames = static_cast<std::uint32_t>(window_frames_at(rate));
    h.count = static_cast<std::uint32_t>(count);
    h.inode = stamp.inode;
    h.file_size = stamp.key.size;
    h.mtime_ns = stamp.key.mtime_ns;
    h.frames = stamp.frames;
    h.duration = duration;
    h.body_crc = body_crc;
    h.header_crc = header_crc(h);
    return h;
}

std::int16_t centi_db(float db) noexcept {
    return static_cast<std::int16_t>(std::lround(std::clamp(db, -300.0f, 300.0f) * 100.0f));
}

std::string encode_body(std::span<const float> db) {
    std::string body(db.size() * 2, '\0');
    for (std::size_t i = 0; i < db.size(); ++i) {
        const auto centi = centi_db(db[i]);
        std::memcpy(body.data() + i * 2, &centi, 2);
    }
    return body;
}

std::uint32_t body_crc_of(std::string_view body, std::uint32_t crc = 0) noexcept {
    return crc32({reinterpret_cast<const std::uint8_t*>(body.data()), body.size()}, crc);
}

void pwrite_all(int fd, const void* data, std::size_t size, off_t offset, const fs::path& path) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const auto n = ::pwrite(fd, p, size, offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category(), "write " + path.string());
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
}

} // namespace

std::string encode_levels(const Levels& levels, const LevelsStamp& stamp) {
    const auto body = encode_body(levels.db);
    const auto h = make_header(levels.sample_rate, levels.channels, stamp, levels.db.size(),
                               levels.duration, stamp.complete ? body_crc_of(body) : 0);
    std::string data(reinterpret_cast<const char*>(&h), sizeof h);
    return data + body;
}

void write_levels_file(const fs::path& path, const Levels& levels, const LevelsStamp& stamp) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
        throw std::system_error(ec, "create " + path.parent_path().string());
    write_file_atomic(path, encode_levels(levels, stamp));
}

std::optional<LevelsFile> parse_levels(std::string_view data) noexcept {
    if (data.size() < sizeof(Header))
        return std::nullopt;
    Header h{};
    std::memcpy(&h, data.data(), sizeof h);
    const bool complete = (h.flags & kComplete) != 0;
    const auto body = data.substr(sizeof h);
    const auto in_body = body.size() / 2;
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kLevelsVersion ||
        h.header_crc != header_crc(h) || h.sample_rate == 0 || h.sample_rate > kMaxSampleRate ||
        h.channels == 0 || h.channels > kMaxChannels ||
        h.window_frames != window_frames_at(static_cast<int>(h.sample_rate)) ||
        in_body > static_cast<std::size_t>(kMaxWindows) || h.frames < 0 ||
        !std::isfinite(h.duration) || h.duration < 0) {
        return std::nullopt;
    }
    if (complete && (body.size() != std::size_t(h.count) * 2 || h.body_crc != body_crc_of(body)))
        return std::nullopt;
    LevelsFile out;
    auto& levels = out.levels;
    levels.sample_rate = static_cast<int>(h.sample_rate);
    levels.channels = static_cast<int>(h.channels);
    levels.window_seconds = static_cast<double>(h.window_frames) / h.sample_rate;
    const std::size_t count = complete ? h.count : in_body;
    levels.db.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::int16_t centi;
        std::memcpy(&centi, body.data() + i * 2, 2);
        levels.db[i] = static_cast<float>(centi) / 100.0f;
    }
    auto& stamp = out.stamp;
    stamp.complete = complete;
    stamp.recorded = (h.flags & kRecorded) != 0;
    stamp.key = {h.file_size, h.mtime_ns};
    stamp.inode = h.inode;
    if (complete) {
        stamp.frames = h.frames;
        levels.duration = h.duration;
    } else {
        stamp.frames = static_cast<std::int64_t>(count) * h.window_frames;
        levels.duration = static_cast<double>(stamp.frames) / h.sample_rate;
    }
    return out;
}

std::optional<LevelsFile> read_levels_file(const fs::path& path) noexcept {
    try {
        return parse_levels(read_small_file(path, sizeof(Header) + std::size_t(kMaxWindows) * 2));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

LevelsAppender::LevelsAppender(fs::path path, int rate, int channels, std::uint64_t inode)
    : path_(std::move(path)), rate_(rate), channels_(channels), inode_(inode) {
    // The header goes to a temporary name first, so a reader never meets a file without one.
    std::error_code ec;
    fs::create_directories(path_.parent_path(), ec);
    if (ec)
        throw std::system_error(ec, "create " + path_.parent_path().string());
    auto temp = path_;
    temp += ".new";
    fd_.reset(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd_)
        throw std::system_error(errno, std::generic_category(), "create " + temp.string());
    LevelsStamp stamp;
    stamp.recorded = true;
    stamp.inode = inode_;
    const auto h = make_header(rate_, channels_, stamp, 0, 0, 0);
    try {
        pwrite_all(fd_.get(), &h, sizeof h, 0, temp);
    } catch (...) {
        ::unlink(temp.c_str()); // a full disk: no empty temporary left behind
        throw;
    }
    if (::rename(temp.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw std::system_error(err, std::generic_category(), "rename to " + path_.string());
    }
}

void LevelsAppender::append(std::span<const float> db) {
    if (db.empty())
        return;
    const auto body = encode_body(db);
    pwrite_all(fd_.get(), body.data(), body.size(), static_cast<off_t>(sizeof(Header) + count_ * 2),
               path_);
    body_crc_ = body_crc_of(body, body_crc_);
    count_ += db.size();
}

void LevelsAppender::complete(std::optional<float> last_window, FileKey key, std::int64_t frames) {
    if (last_window) {
        const float db[1] = {*last_window};
        append(db);
    }
    LevelsStamp stamp;
    stamp.complete = true;
    stamp.recorded = true;
    stamp.key = key;
    stamp.inode = inode_;
    stamp.frames = frames;
    const auto h = make_header(rate_, channels_, stamp, count_, static_cast<double>(frames) / rate_,
                               body_crc_);
    pwrite_all(fd_.get(), &h, sizeof h, 0, path_);
    fd_.reset();
}

} // namespace isr
