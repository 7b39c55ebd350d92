#include "webserver/status_monitor.hpp"

namespace isr::web {

StatusReading StatusMonitor::read() const {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - read_at_ > std::chrono::milliseconds(500)) {
        last_ = read_status_file(file_);
        read_at_ = now;
    }
    return last_;
}

std::set<std::string> StatusMonitor::recording() const {
    const auto r = read();
    if (!r.present || r.stale || !r.status)
        return {};
    return {r.status->active.begin(), r.status->active.end()};
}

bool StatusMonitor::is_recording(const std::string& relative) const {
    return recording().count(relative) > 0;
}

} // namespace isr::web
