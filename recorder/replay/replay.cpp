#include "recorder/replay/replay.hpp"

#include "common/time_zone.hpp"

#include <cmath>

namespace isr::rec {

SaveFileCreator template_file_creator(const SourceConfig& cfg) {
    return [folder = cfg.output_directory, name_template = cfg.replay_template,
            zone = TimeZone::locate(cfg.timezone)](const SaveName& save) {
        ReplayNameValues values;
        values.start_utc_seconds = static_cast<std::int64_t>(std::floor(save.start_utc));
        values.source = save.source;
        values.label = save.label;
        values.duration_seconds = save.seconds;
        values.counter = save.counter;
        const auto ext = save.extension.empty() ? std::string() : save.extension.substr(1);
        values.ext = ext;
        return create_unique_file_at(folder, name_template.render(values, *zone));
    };
}

} // namespace isr::rec
