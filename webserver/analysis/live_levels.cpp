#include "webserver/analysis/live_levels.hpp"

#include "common/levels/levels_file.hpp"
#include "common/strings.hpp"
#include "webserver/media/live_decoder.hpp"

#include <algorithm>
#include <stdexcept>

namespace isr::web {

namespace {
constexpr std::size_t kReadFrames = 16384;
}

std::shared_ptr<const Levels> LiveLevels::levels(const std::string& name,
                                                 const std::filesystem::path& file,
                                                 std::uint64_t inode,
                                                 const std::filesystem::path& levels_file) {
    std::shared_ptr<Entry> entry;
    {
        std::lock_guard lock(mutex_);
        auto& slot = entries_[name];
        if (!slot)
            slot = std::make_shared<Entry>();
        entry = slot;
    }
    std::lock_guard turn(entry->decoding);
    try {
        extend(*entry, file, inode, levels_file);
    } catch (...) {
        // Half-extended windows are not trusted: the next request starts afresh.
        entry->db.clear();
        entry->last.reset();
        throw;
    }
    return entry->last;
}

void LiveLevels::extend(Entry& e, const std::filesystem::path& file, std::uint64_t inode,
                        const std::filesystem::path& levels_file) {
    auto decoder = open_live_decoder(file);
    const int rate = decoder->sample_rate();
    const int channels = decoder->channels();
    if (e.inode != inode || e.rate != rate || e.channels != channels) {
        // Another recording under this name.
        e.db.clear();
        e.last.reset();
        e.inode = inode;
        e.rate = rate;
        e.channels = channels;
    }
    const auto window = window_frames_at(rate);
    const auto total = decoder->frames();
    const bool exact = decoder->exact_seek() && total.has_value();
    if (!exact) {
        // Without exact seeks a decode cannot resume at a window: it starts over each time, so
        // not on every poll.
        if (e.last && std::chrono::steady_clock::now() - e.decoded_at < kWholeDecodeInterval)
            return;
        e.db.clear();
    } else {
        if (static_cast<std::int64_t>(e.db.size()) * window > *total)
            e.db.clear(); // shorter than before: rewritten, not grown
        // isrd's windows, as far as the audio readable now reaches (its encoder may hold back
        // the last block), when they reach further than ours.
        if (auto f = read_levels_file(levels_file); f && f->prefix_of(inode) &&
                                                    f->levels.sample_rate == rate &&
                                                    f->levels.channels == channels) {
            const auto fits =
                std::min(f->levels.db.size(), static_cast<std::size_t>(*total / window));
            if (fits > e.db.size())
                e.db.assign(f->levels.db.begin(),
                            f->levels.db.begin() + static_cast<std::ptrdiff_t>(fits));
        }
    }
    std::int64_t position = exact ? static_cast<std::int64_t>(e.db.size()) * window : 0;
    WindowAccumulator windows(rate, channels);
    if (!exact || position < *total) {
        if (position > 0)
            decoder->seek(position);
        std::vector<float> buffer(kReadFrames * static_cast<std::size_t>(channels));
        while (const auto got = decoder->read(buffer.data(), kReadFrames)) {
            windows.add(buffer.data(), got, e.db);
            if (static_cast<std::int64_t>(e.db.size()) > kMaxWindows) {
                throw std::runtime_error(cat(file.filename().string(), " is longer than ",
                                             kMaxWindows / 36000, " hours: too long to analyse"));
            }
            position += static_cast<std::int64_t>(got);
            frames_decoded_ += got;
        }
    }
    auto levels = std::make_shared<Levels>();
    levels->sample_rate = rate;
    levels->channels = channels;
    levels->window_seconds = static_cast<double>(window) / rate;
    levels->db = e.db;
    if (const auto tail = windows.finish())
        levels->db.push_back(*tail);
    levels->duration = static_cast<double>(position) / rate;
    e.last = std::move(levels);
    e.decoded_at = std::chrono::steady_clock::now();
}

void LiveLevels::retain(const std::set<std::string>& live) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&live](const auto& kv) { return live.count(kv.first) == 0; });
}

std::size_t LiveLevels::files() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace isr::web
