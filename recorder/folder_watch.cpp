#include "recorder/folder_watch.hpp"

#include "common/strings.hpp"

namespace isr::rec {

std::string FolderWatch::deleted(const std::string& file, double seconds) const {
    const auto lost = cat("the ", fixed(seconds, 1), " s of audio written to ", file,
                          " since it was opened are lost");
    if (!identity_.named_by(folder_)) {
        return cat(
            "output_directory ", folder_.string(), " was removed while recording: ", lost,
            "; recording goes on in a new file (created with its folders). Do not remove the "
            "recordings folder of a running isrd: stop isrd first");
    }
    return cat(file, " was deleted while it was being recorded: ", lost,
               "; recording goes on in a new file. Delete finished recordings only");
}

} // namespace isr::rec
