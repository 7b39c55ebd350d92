#pragma once

#include "common/strings.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// One line per event: "2026-11-21 14:03:05.123 WARNING [radio1] message", to stderr and,
// when configured, appended to a log file. Safe to call from any thread.
namespace isr::log {

enum class Level { debug = 0, info, warning, error, critical };

std::optional<Level> parse_level(std::string_view name) noexcept;
std::string_view level_name(Level level) noexcept;

// Process-wide threshold; messages below it are dropped.
void set_level(Level level) noexcept;
Level level() noexcept;

// Also append every line to `path` (created if missing). Throws std::system_error.
void open_file(const std::filesystem::path& path);
void close_file() noexcept;

// Writes one line. `source` may be empty for process-level events. Never throws.
void write(Level level, std::string_view source, std::string_view message) noexcept;

inline bool enabled(Level l) noexcept {
    return l >= level();
}

template <class... P> void debug(std::string_view src, const P&... p) {
    if (enabled(Level::debug))
        write(Level::debug, src, cat(p...));
}
template <class... P> void info(std::string_view src, const P&... p) {
    if (enabled(Level::info))
        write(Level::info, src, cat(p...));
}
template <class... P> void warning(std::string_view src, const P&... p) {
    if (enabled(Level::warning))
        write(Level::warning, src, cat(p...));
}
template <class... P> void error(std::string_view src, const P&... p) {
    if (enabled(Level::error))
        write(Level::error, src, cat(p...));
}
template <class... P> void critical(std::string_view src, const P&... p) {
    write(Level::critical, src, cat(p...));
}

} // namespace isr::log

namespace isr {

// A named logger with its own threshold (a source may set `log_level` lower or higher than
// the process default).
class Logger {
public:
    explicit Logger(std::string source, std::optional<log::Level> threshold = std::nullopt)
        : source_(std::move(source)), threshold_(threshold) {}

    const std::string& source() const noexcept { return source_; }
    bool enabled(log::Level l) const noexcept {
        return threshold_ ? l >= *threshold_ : log::enabled(l);
    }

    template <class... P> void debug(const P&... p) const { emit(log::Level::debug, p...); }
    template <class... P> void info(const P&... p) const { emit(log::Level::info, p...); }
    template <class... P> void warning(const P&... p) const { emit(log::Level::warning, p...); }
    template <class... P> void error(const P&... p) const { emit(log::Level::error, p...); }

private:
    template <class... P> void emit(log::Level l, const P&... p) const {
        if (enabled(l))
            log::write(l, source_, cat(p...));
    }

    std::string source_;
    std::optional<log::Level> threshold_;
};

// Lets a recurring message through at most once per `interval`, counting what it held back,
// so a flapping device or a full disk does not flood the log.
class RateLimit {
public:
    explicit RateLimit(std::chrono::steady_clock::duration interval) : interval_(interval) {}

    // True when the caller should log now; `suppressed()` then tells how many were held back.
    bool allow(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
        if (last_ && now - *last_ < interval_) {
            ++pending_;
            return false;
        }
        last_ = now;
        suppressed_ = pending_;
        pending_ = 0;
        return true;
    }
    unsigned long suppressed() const noexcept { return suppressed_; }

private:
    std::chrono::steady_clock::duration interval_;
    std::optional<std::chrono::steady_clock::time_point> last_;
    unsigned long pending_ = 0;
    unsigned long suppressed_ = 0;
};

} // namespace isr
