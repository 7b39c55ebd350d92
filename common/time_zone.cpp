#include "common/time_zone.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

namespace isr {

namespace {

std::uint32_t be32(std::string_view d, std::size_t at) {
    return (std::uint32_t(std::uint8_t(d[at])) << 24) |
           (std::uint32_t(std::uint8_t(d[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(d[at + 2])) << 8) | std::uint32_t(std::uint8_t(d[at + 3]));
}

std::int64_t be64(std::string_view d, std::size_t at) {
    return static_cast<std::int64_t>((std::uint64_t(be32(d, at)) << 32) | be32(d, at + 4));
}

struct TzifHeader {
    std::uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
    char version;

    static TzifHeader read(std::string_view d, std::size_t at) {
        if (d.size() < at + 44 || d.substr(at, 4) != "TZif") {
            throw std::runtime_error("not a TZif file");
        }
        return {be32(d, at + 20), be32(d, at + 24), be32(d, at + 28), be32(d, at + 32),
                be32(d, at + 36), be32(d, at + 40), d[at + 4]};
    }
    std::size_t body_size(std::size_t time_size) const {
        return std::size_t(timecnt) * time_size + timecnt + std::size_t(typecnt) * 6 + charcnt +
               std::size_t(leapcnt) * (time_size + 4) + isstdcnt + isutcnt;
    }
};

bool valid_zone_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
               c == '+';
    });
}

std::string zoneinfo_dir() {
    const char* dir = std::getenv("TZDIR");
    return dir && *dir ? dir : "/usr/share/zoneinfo";
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const TimeZone> load_uncached(std::string_view name) {
    if (name.empty() || name == "localtime") {
        const char* tz = std::getenv("TZ");
        if (tz && *tz) {
            std::string_view spec(tz);
            if (spec.front() == ':')
                spec.remove_prefix(1);
            if (!spec.empty() && spec.front() == '/') {
                if (auto data = read_file(std::string(spec))) {
                    return TimeZone::from_tzif(std::string(spec), *data);
                }
            } else if (valid_zone_name(spec)) {
                if (auto data = read_file(zoneinfo_dir() + "/" + std::string(spec))) {
                    return TimeZone::from_tzif(std::string(spec), *data);
                }
            }
            if (auto zone = TimeZone::from_posix(std::string(spec), spec))
                return zone;
        }
        if (auto data = read_file("/etc/localtime")) {
            // Name it after the zone it links to ("Europe/Berlin") when it is a link.
            std::error_code ec;
            const auto target =
                std::filesystem::read_symlink("/etc/localtime", ec).generic_string();
            const auto at = target.find("zoneinfo/");
            return TimeZone::from_tzif(
                !ec && at != std::string::npos ? target.substr(at + 9) : "localtime", *data);
        }
        return TimeZone::from_posix("UTC", "UTC0");
    }
    if (name == "UTC" || name == "Etc/UTC" || name == "Z")
        return TimeZone::from_posix("UTC", "UTC0");
    if (!valid_zone_name(name)) {
        throw std::runtime_error(cat("invalid time zone name '", name, "'"));
    }
    const auto path = zoneinfo_dir() + "/" + std::string(name);
    auto data = read_file(path);
    if (!data) {
        throw std::runtime_error(cat("unknown time zone '", name, "' (no ", path,
                                     "); use an IANA name such as Europe/Berlin, or UTC"));
    }
    try {
        return TimeZone::from_tzif(std::string(name), *data);
    } catch (const std::exception& e) {
        throw std::runtime_error(cat("cannot read time zone ", path, ": ", e.what()));
    }
}

} // namespace

std::shared_ptr<const TimeZone> TimeZone::locate(std::string_view name) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
    std::lock_guard lock(mutex);
    if (const auto it = cache.find(name); it != cache.end())
        return it->second;
    auto zone = load_uncached(name);
    cache.emplace(std::string(name), zone);
    return zone;
}

std::shared_ptr<const TimeZone> TimeZone::utc() {
    return locate("UTC");
}

std::shared_ptr<const TimeZone> TimeZone::from_posix(std::string name, std::string_view spec) {
    auto rule = PosixTzRule::parse(spec);
    if (!rule)
        return nullptr;
    std::shared_ptr<TimeZone> zone(new TimeZone());
    zone->name_ = std::move(name);
    zone->footer_ = std::move(rule);
    const auto info = zone->footer_->at(0);
    zone->types_.push_back({info.utc_offset, info.dst, std::string(info.abbrev)});
    return zone;
}

std::shared_ptr<const TimeZone> TimeZone::from_tzif(std::string name, std::string_view d) {
    const auto v1 = TzifHeader::read(d, 0);
    std::size_t body = 44;
    auto hdr = v1;
    std::size_t time_size = 4;
    if (v1.version >= '2') {
        // Skip the 32-bit block; the 64-bit block that follows is authoritative.
        hdr = TzifHeader::read(d, body + v1.body_size(4));
        body += v1.body_size(4) + 44;
        time_size = 8;
    }
    if (d.size() < body + hdr.body_size(time_size))
        throw std::runtime_error("truncated TZif data");
    if (hdr.typecnt == 0)
        throw std::runtime_error("TZif data without local time types");

    std::shared_ptr<TimeZone> zone(new TimeZone());
    zone->name_ = std::move(name);
    std::size_t at = body;
    zone->transitions_.reserve(hdr.timecnt);
    for (std::uint32_t i = 0; i < hdr.timecnt; ++i, at += time_size) {
        zone->transitions_.push_back(time_size == 8 ? be64(d, at)
                                                    : static_cast<std::int32_t>(be32(d, at)));
    }
    for (std::uint32_t i = 0; i < hdr.timecnt; ++i, ++at) {
        const auto type = static_cast<std::uint8_t>(d[at]);
        if (type >= hdr.typecnt)
            throw std::runtime_error("TZif transition with a bad type index");
        zone->transition_types_.push_back(type);
    }
    const auto chars = d.substr(at + std::size_t(hdr.typecnt) * 6, hdr.charcnt);
    for (std::uint32_t i = 0; i < hdr.typecnt; ++i, at += 6) {
        const auto offset = static_cast<std::int32_t>(be32(d, at));
        const bool dst = d[at + 4] != 0;
        const auto idx = static_cast<std::uint8_t>(d[at + 5]);
        std::string abbrev;
        if (idx < chars.size()) {
            const auto end = chars.find('\0', idx);
            abbrev =
                std::string(chars.substr(idx, end == std::string_view::npos ? end : end - idx));
        }
        zone->types_.push_back({offset, dst, std::move(abbrev)});
    }
    // Version 2+ files end with "\n<POSIX TZ rule>\n" for instants after the last transition.
    const auto footer_at = body + hdr.body_size(time_size);
    if (time_size == 8 && footer_at < d.size() && d[footer_at] == '\n') {
        const auto end = d.find('\n', footer_at + 1);
        if (end != std::string_view::npos && end > footer_at + 1) {
            zone->footer_ = PosixTzRule::parse(d.substr(footer_at + 1, end - footer_at - 1));
        }
    }
    return zone;
}

TimeZone::Info TimeZone::at(std::int64_t utc_seconds) const noexcept {
    if (transitions_.empty() || utc_seconds >= transitions_.back()) {
        if (footer_) {
            const auto o = footer_->at(utc_seconds);
            return {o.utc_offset, o.dst, o.abbrev};
        }
    }
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
    const auto& type = it == transitions_.begin()
                           ? types_.front()
                           : types_[transition_types_[std::size_t(it - transitions_.begin() - 1)]];
    return {type.utc_offset, type.dst, type.abbrev};
}

std::optional<std::int64_t> TimeZone::next_transition(std::int64_t utc_seconds) const noexcept {
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
    for (; it != transitions_.end(); ++it) {
        // Skip entries that only rename the zone: a split schedule cares about offset changes.
        if (at(*it - 1).utc_offset != at(*it).utc_offset)
            return *it;
    }
    if (!footer_)
        return std::nullopt;
    auto from = std::max(utc_seconds, transitions_.empty() ? utc_seconds : transitions_.back());
    for (int guard = 0; guard < 8; ++guard) {
        const auto t = footer_->next_transition(from);
        if (!t)
            return std::nullopt;
        if (at(*t - 1).utc_offset != at(*t).utc_offset)
            return t;
        from = *t;
    }
    return std::nullopt;
}

} // namespace isr
