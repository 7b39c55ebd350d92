#include "recorder/stream/title_log.hpp"

#include "common/strings.hpp"

namespace isr::rec {

std::string TitleLog::line(const std::string& title, double now) {
    auto text = cat("now playing: ", printable(title, 300));
    if (suppressed_ > 0 && last_logged_) {
        text += cat(" (", suppressed_, suppressed_ == 1 ? " other title" : " other titles",
                    " in the last ", fixed(now - *last_logged_, 0),
                    " s not logged: the station changes its title very often)");
    }
    last_logged_ = now;
    suppressed_ = 0;
    pending_.reset();
    return text;
}

std::optional<std::string> TitleLog::changed(const std::string& title, double now) {
    if (!last_logged_ || now - *last_logged_ >= interval_)
        return line(title, now);
    if (pending_) {
        ++suppressed_; // the held-back title is replaced before it was logged
        ++suppressed_total_;
    }
    pending_ = title;
    return std::nullopt;
}

std::optional<std::string> TitleLog::tick(double now) {
    if (!pending_ || !last_logged_ || now - *last_logged_ < interval_)
        return std::nullopt;
    const auto title = *pending_;
    return line(title, now);
}

std::optional<std::string> TitleLog::flush(double now) {
    if (!pending_)
        return std::nullopt;
    const auto title = *pending_;
    return line(title, now);
}

} // namespace isr::rec
