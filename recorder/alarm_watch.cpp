#include "recorder/alarm_watch.hpp"

#include "common/strings.hpp"

namespace isr::rec {

AlarmWatch::AlarmWatch(double seconds, double threshold_dbfs, bool pcm, double now)
    : seconds_(seconds), threshold_(threshold_dbfs), pcm_(pcm), last_data_(now) {}

void AlarmWatch::heard(double now, std::optional<double> rms_dbfs) {
    last_data_ = now;
    if (!rms_dbfs)
        return;
    if (*rms_dbfs < threshold_) {
        // The level covers the second before `now`.
        if (!quiet_since_)
            quiet_since_ = now - 1.0;
    } else {
        quiet_since_.reset();
    }
}

std::vector<AlarmWatch::Change> AlarmWatch::check(double now, bool active) {
    std::vector<Change> out;
    if (seconds_ <= 0)
        return out;
    std::optional<std::string> wanted;
    double since = 0;
    std::string message;
    if (!active) {
        was_active_ = false;
    } else {
        if (!was_active_) {
            // Back from a pause: silence and absence are measured from here.
            was_active_ = true;
            last_data_ = now;
            quiet_since_.reset();
        }
        if (now - last_data_ >= seconds_) {
            wanted = "no_data";
            since = last_data_;
            message = cat("no audio has arrived for ", fixed(now - last_data_, 0), " s");
        } else if (pcm_ && quiet_since_ && now - *quiet_since_ >= seconds_) {
            wanted = "silence";
            since = *quiet_since_;
            message = cat("the level has stayed below ", fixed(threshold_, 1), " dBFS for ",
                          fixed(now - *quiet_since_, 0), " s");
        }
    }
    if (wanted == raised_)
        return out;
    if (raised_) {
        out.push_back({false, *raised_,
                       cat(*raised_ == "silence" ? "sound is back" : "audio arrives again",
                           " after ", fixed(now - raised_since_, 0), " s",
                           active ? "" : " (the source was paused or stopped)"),
                       raised_since_});
    }
    raised_ = wanted;
    if (wanted) {
        raised_since_ = since;
        raised_message_ = message;
        out.push_back({true, *wanted, message, since});
    }
    return out;
}

} // namespace isr::rec
