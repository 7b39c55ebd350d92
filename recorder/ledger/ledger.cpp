#include "recorder/ledger/ledger.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace {

// Valid UTF-8 whatever the text came from (a device name, a server's error): a line that a
// strict JSON reader rejects would hide the events around it. Other bytes become '?'; the text
// is cut at `max_bytes`, never inside a character.
std::string clean_text(std::string_view text, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = c < 0x80 ? 1 : utf8_sequence_length(text, i);
        if (out.size() + std::max<std::size_t>(n, 1) > max_bytes)
            break;
        if (n == 0) {
            out += '?';
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

std::string render(const LedgerEvent& e, const std::string& time, std::size_t max_text,
                   std::size_t max_fields) {
    JsonWriter w(3);
    w.begin_object();
    w.member("time", time).member("event", clean_text(e.event, 64));
    if (!e.source.empty())
        w.member("source", clean_text(e.source, 128));
    std::size_t n = 0;
    for (const auto& [key, value] : e.fields) {
        if (n++ == max_fields) {
            w.member("truncated", true);
            break;
        }
        w.key(clean_text(key, 64));
        std::visit(
            [&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
                    w.value(clean_text(v, max_text));
                else
                    w.value(v);
            },
            value);
    }
    w.end_object();
    return w.str();
}

} // namespace

Ledger::Ledger(std::filesystem::path folder, std::function<double()> clock)
    : folder_(std::move(folder)), clock_(std::move(clock)) {}

std::string Ledger::time_text(double utc_seconds) {
    return iso8601(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(utc_seconds))));
}

Ledger::Line Ledger::line_of(const LedgerEvent& event, double now) {
    const auto time = time_text(event.time.value_or(now));
    // The line is bounded whatever the fields hold: long texts are cut first, then fields.
    auto text = render(event, time, 1024, 32);
    if (text.size() + 1 > kMaxLineBytes)
        text = render(event, time, 200, 32);
    if (text.size() + 1 > kMaxLineBytes)
        text = render(event, time, 200, 8);
    text += '\n';
    return {std::move(text), time.substr(0, 7) + ".jsonl"};
}

void Ledger::write_line(const Line& line) {
    const auto path = folder_ / line.file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd && errno == ENOENT) {
        std::error_code ec;
        std::filesystem::create_directories(folder_, ec);
        fd.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    }
    if (!fd)
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    struct stat st {};
    const bool sized = ::fstat(fd.get(), &st) == 0;
    ssize_t n = 0;
    do {
        n = ::write(fd.get(), line.text.data(), line.text.size());
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(line.text.size()))
        return;
    const int err = n < 0 ? errno : ENOSPC;
    // Half a line would make the next one unreadable too: take it back.
    if (n > 0 && sized)
        (void)::ftruncate(fd.get(), st.st_size);
    throw std::system_error(err, std::generic_category(), "write " + path.string());
}

void Ledger::append(const LedgerEvent& event) noexcept {
    try {
        auto line = line_of(event, clock_());
        std::lock_guard lock(mutex_);
        if (backlog_.size() >= kMaxBacklog) {
            backlog_.pop_front();
            ++dropped_;
        }
        backlog_.push_back(std::move(line));
        try {
            while (!backlog_.empty()) {
                write_line(backlog_.front());
                backlog_.pop_front();
            }
        } catch (const std::exception& e) {
            const bool first = !error_;
            error_ = e.what();
            if (first || error_log_.allow()) {
                log::error("", "cannot append to the continuity ledger: ", e.what(), "; ",
                           backlog_.size(),
                           " event(s) wait in memory and are written when this is fixed (at most ",
                           kMaxBacklog, ")");
            }
            return;
        }
        if (error_) {
            log::info("", "the continuity ledger in ", folder_.string(), " is written again",
                      dropped_ > 0 ? cat("; ", dropped_, " event(s) could not be kept") : "");
            error_.reset();
        }
    } catch (const std::exception& e) {
        log::error("", "continuity ledger: ", e.what()); // out of memory, most likely
    }
}

std::optional<std::string> Ledger::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

std::uint64_t Ledger::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

} // namespace isr::rec
