#pragma once

#include "recorder/writer/file_identity.hpp"

#include <filesystem>
#include <string>

namespace isr::rec {

// A source's output_directory, as it was when the current file was opened: when that file is
// found deleted while it is being written, says whether the whole folder was removed (it is
// gone, or was removed and created again) or just the file. Holds one descriptor (the folder,
// O_PATH). Used from the source's thread.
class FolderWatch {
public:
    explicit FolderWatch(std::filesystem::path folder) : folder_(std::move(folder)) {}

    // A file is opened in the folder: remember which folder it is.
    void file_opened() noexcept { identity_ = PinnedFolder::at(folder_); }

    // The ERROR (for the log and status.json) about the deleted `file`, holding `seconds` of
    // audio that are now lost.
    std::string deleted(const std::string& file, double seconds) const;

private:
    std::filesystem::path folder_;
    PinnedFolder identity_;
};

} // namespace isr::rec
