#include "recorder/stream/levels/file_bytes_queue.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace isr::rec {

void FileBytesQueue::put(Item item) {
    items_.push_back(std::move(item));
    unwoken_ = 0;
    ready_.notify_one();
}

void FileBytesQueue::begin(std::filesystem::path path, std::string name, double start_utc) {
    const std::lock_guard lock(mutex_);
    if (producing_ && !dropping_)
        put({Item::Kind::end, {}, {}, End::lost});
    producing_ = true;
    dropping_ = false;
    put({Item::Kind::begin, {}, {std::move(path), std::move(name), start_utc}, {}});
}

bool FileBytesQueue::push(std::span<const std::uint8_t> bytes) {
    const std::lock_guard lock(mutex_);
    if (!producing_ || closed_)
        return true;
    if (dropping_)
        return false;
    if (queued_ + bytes.size() > capacity_) {
        dropping_ = true;
        put({Item::Kind::end, {}, {}, End::dropped});
        return false;
    }
    // Frames are appended to the last block rather than queued one by one.
    if (items_.empty() || items_.back().kind != Item::Kind::bytes)
        items_.push_back({Item::Kind::bytes, {}, {}, {}});
    auto& block = items_.back().bytes;
    block.insert(block.end(), bytes.begin(), bytes.end());
    queued_ += bytes.size();
    unwoken_ += bytes.size();
    if (unwoken_ >= kWakeBytes) {
        unwoken_ = 0;
        ready_.notify_one();
    }
    return true;
}

void FileBytesQueue::end(End how) {
    const std::lock_guard lock(mutex_);
    if (!producing_)
        return;
    producing_ = false;
    if (!dropping_)
        put({Item::Kind::end, {}, {}, how});
    dropping_ = false;
}

void FileBytesQueue::close() {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_one();
}

std::optional<FileBytesQueue::FileStart> FileBytesQueue::next_file() {
    std::unique_lock lock(mutex_);
    for (;;) {
        ready_.wait(lock, [&] { return !items_.empty() || closed_; });
        if (items_.empty())
            return std::nullopt;
        auto item = std::move(items_.front());
        items_.pop_front();
        queued_ -= item.bytes.size() - (item.kind == Item::Kind::bytes ? front_at_ : 0);
        front_at_ = 0;
        if (item.kind == Item::Kind::begin) {
            reading_ = true;
            ending_ = End::stopped;
            return std::move(item.start);
        }
    }
}

std::size_t FileBytesQueue::read(std::uint8_t* out, std::size_t size) {
    std::unique_lock lock(mutex_);
    if (!reading_)
        return 0;
    // Bytes are read once kWakeBytes of them wait, or a marker follows them (the file ends),
    // or the input is closed: the producer wakes us at the same points.
    ready_.wait(lock, [&] {
        return closed_ || items_.size() > 1 ||
               (!items_.empty() && (items_.front().kind != Item::Kind::bytes ||
                                    items_.front().bytes.size() - front_at_ >= kWakeBytes));
    });
    if (items_.empty()) {
        reading_ = false;
        ending_ = End::stopped;
        return 0;
    }
    auto& front = items_.front();
    if (front.kind == Item::Kind::begin) {
        // The producer began another file without ending this one (it never does): lost.
        reading_ = false;
        ending_ = End::lost;
        return 0;
    }
    if (front.kind == Item::Kind::end) {
        reading_ = false;
        ending_ = front.how;
        items_.pop_front();
        return 0;
    }
    const auto n = std::min(size, front.bytes.size() - front_at_);
    std::memcpy(out, front.bytes.data() + front_at_, n);
    front_at_ += n;
    queued_ -= n;
    if (front_at_ == front.bytes.size()) {
        items_.pop_front();
        front_at_ = 0;
    }
    return n;
}

std::size_t FileBytesQueue::skip_rest() {
    std::array<std::uint8_t, 4096> sink{};
    std::size_t skipped = 0;
    while (const auto n = read(sink.data(), sink.size()))
        skipped += n;
    return skipped;
}

FileBytesQueue::End FileBytesQueue::ending() const {
    const std::lock_guard lock(mutex_);
    return ending_;
}

} // namespace isr::rec
