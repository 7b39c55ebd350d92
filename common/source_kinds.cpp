#include "common/source_kinds.hpp"

#include <array>
#include <utility>

namespace isr {

namespace {

constexpr std::array<std::pair<SourceType, std::string_view>, 3> kTypes{{
    {SourceType::stream, "stream"},
    {SourceType::soundcard, "soundcard"},
    {SourceType::generator, "generator"},
}};

constexpr std::array<std::pair<RunState, std::string_view>, 7> kStates{{
    {RunState::starting, "starting"},
    {RunState::connecting, "connecting"},
    {RunState::recording, "recording"},
    {RunState::retrying, "retrying"},
    {RunState::failed, "failed"},
    {RunState::paused, "paused"},
    {RunState::stopped, "stopped"},
}};

template <class Table, class Value>
std::string_view word_of(const Table& table, Value value) noexcept {
    for (const auto& [v, word] : table) {
        if (v == value)
            return word;
    }
    return "?";
}

template <class Value, class Table>
std::optional<Value> value_of(const Table& table, std::string_view word) noexcept {
    for (const auto& [v, w] : table) {
        if (w == word)
            return v;
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(SourceType type) noexcept {
    return word_of(kTypes, type);
}
std::string_view to_string(RunState state) noexcept {
    return word_of(kStates, state);
}
std::optional<SourceType> parse_source_type(std::string_view word) noexcept {
    return value_of<SourceType>(kTypes, word);
}
std::optional<RunState> parse_run_state(std::string_view word) noexcept {
    return value_of<RunState>(kStates, word);
}

} // namespace isr
