#include "common/analysis_cache_paths.hpp"

namespace isr {

namespace fs = std::filesystem;

fs::path levels_path(const fs::path& analyses, std::string_view recording) {
    return analyses / (std::string(recording) + std::string(kLevelsSuffix));
}

fs::path sections_path(const fs::path& analyses, std::string_view recording) {
    return analyses / (std::string(recording) + std::string(kSectionsSuffix));
}

fs::path keep_mark_path(const fs::path& analyses, std::string_view recording) {
    return analyses / (std::string(recording) + std::string(kKeepSuffix));
}

bool has_keep_mark(const fs::path& analyses, std::string_view recording) noexcept {
    std::error_code ec;
    return fs::symlink_status(keep_mark_path(analyses, recording), ec).type() ==
           fs::file_type::regular;
}

std::optional<std::string> recording_of_cache_file(const fs::path& analyses, const fs::path& file) {
    auto relative = file.lexically_relative(analyses).generic_string();
    if (relative.empty() || relative.rfind("..", 0) == 0)
        return std::nullopt;
    for (const auto suffix : {kLevelsSuffix, kSectionsSuffix, kKeepSuffix}) {
        if (relative.size() > suffix.size() &&
            relative.compare(relative.size() - suffix.size(), suffix.size(), suffix) == 0) {
            relative.resize(relative.size() - suffix.size());
            return relative;
        }
    }
    return std::nullopt;
}

void remove_cache_files(const fs::path& analyses, std::string_view recording) noexcept {
    std::error_code ec;
    fs::remove(levels_path(analyses, recording), ec);
    fs::remove(sections_path(analyses, recording), ec);
    fs::remove(keep_mark_path(analyses, recording), ec);
    for (auto dir = levels_path(analyses, recording).parent_path();
         dir.native().size() > analyses.native().size(); dir = dir.parent_path()) {
        if (!fs::is_empty(dir, ec) || ec || !fs::remove(dir, ec))
            break;
    }
}

} // namespace isr
