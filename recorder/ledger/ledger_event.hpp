#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace isr::rec {

// One line of the continuity ledger (README "The continuity ledger"): what happened (`event`, a
// word: start, stop, file_opened, file_closed, gap, alarm, alarm_cleared, retention_delete,
// loud_event), to which source (empty: isrd as a whole), when, and the event's own fields in
// order. A retention deletion, as README documents it:
//   ledger.append(LedgerEvent("retention_delete", source)
//                     .with("path", relative_path).with("reason", reason).with("bytes", bytes));
struct LedgerEvent {
    using Value = std::variant<std::string, double, std::int64_t, std::uint64_t, bool>;

    LedgerEvent(std::string event_word, std::string source_name = {})
        : event(std::move(event_word)), source(std::move(source_name)) {}

    // Overloads rather than one template: a string literal must not turn into a bool.
    LedgerEvent& with(std::string key, std::string_view v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<std::string>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, const char* v) {
        return with(std::move(key), std::string_view(v));
    }
    LedgerEvent& with(std::string key, const std::string& v) {
        return with(std::move(key), std::string_view(v));
    }
    LedgerEvent& with(std::string key, double v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<double>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, int v) { return with(std::move(key), std::int64_t{v}); }
    LedgerEvent& with(std::string key, long v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<std::int64_t>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, long long v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<std::int64_t>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, unsigned long v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<std::uint64_t>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, unsigned long long v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<std::uint64_t>, v));
        return *this;
    }
    LedgerEvent& with(std::string key, bool v) {
        fields.emplace_back(std::move(key), Value(std::in_place_type<bool>, v));
        return *this;
    }
    // When it happened, in UTC seconds; without it, when it is appended.
    LedgerEvent& at(double utc_seconds) {
        time = utc_seconds;
        return *this;
    }

    std::string event;
    std::string source;
    std::optional<double> time;
    std::vector<std::pair<std::string, Value>> fields;
};

} // namespace isr::rec
