#include "common/log.hpp"

#include "common/file_util.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace isr::log {

namespace {

std::atomic<Level> g_level{Level::info};
std::mutex g_mutex;
UniqueFd g_file; // the log file, when one is set; guarded by g_mutex

constexpr std::string_view kNames[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};

void write_all(int fd, const std::string& line) noexcept {
    std::size_t done = 0;
    while (done < line.size()) {
        const auto n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // nowhere left to report a failing log sink
        done += static_cast<std::size_t>(n);
    }
}

std::string timestamp() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm local{};
    localtime_r(&ts.tv_sec, &local);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
    std::snprintf(buf + n, sizeof buf - n, ".%03ld", ts.tv_nsec / 1000000);
    return buf;
}

} // namespace

std::optional<Level> parse_level(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(kNames); ++i) {
        if (iequals(name, kNames[i]))
            return static_cast<Level>(i);
    }
    if (iequals(name, "WARN"))
        return Level::warning;
    return std::nullopt;
}

std::string_view level_name(Level level) noexcept {
    return kNames[static_cast<int>(level)];
}

void set_level(Level level) noexcept {
    g_level.store(level);
}
Level level() noexcept {
    return g_level.load();
}

void open_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot open log file " + path.string());
    }
    std::lock_guard lock(g_mutex);
    g_file = std::move(fd); // the previous file (SIGHUP, logrotate) closes here
}

void close_file() noexcept {
    std::lock_guard lock(g_mutex);
    g_file.reset();
}

void write(Level level, std::string_view source, std::string_view message) noexcept {
    try {
        std::string line = timestamp();
        line += ' ';
        const auto name = level_name(level);
        line += name;
        line.append(9 - name.size(), ' '); // aligns messages after "CRITICAL "
        if (!source.empty()) {
            line += '[';
            line += source;
            line += "] ";
        }
        line += message;
        line += '\n';
        std::lock_guard lock(g_mutex);
        write_all(STDERR_FILENO, line);
        if (g_file)
            write_all(g_file.get(), line);
    } catch (...) {
        // Out of memory while logging: drop the line rather than take the process down.
    }
}

} // namespace isr::log
