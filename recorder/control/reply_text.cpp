#include "recorder/control/reply_text.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <vector>

namespace isr::rec {

namespace {

std::string compact_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

// 60 → "60", 60.0 → "60.0", 0.0234 → "0.023": at most 3 decimals, at least one for a double.
std::string number_text(const rapidjson::Value& v) {
    if (v.IsInt64())
        return std::to_string(v.GetInt64());
    if (v.IsUint64())
        return std::to_string(v.GetUint64());
    auto text = fixed(v.GetDouble(), 3);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0' && text[text.size() - 2] != '.')
            text.pop_back();
    }
    return text;
}

std::string value_text(const rapidjson::Value& v) {
    if (v.IsString())
        return printable({v.GetString(), v.GetStringLength()}, 1000);
    if (v.IsBool())
        return v.GetBool() ? "yes" : "no";
    if (v.IsNull())
        return "-";
    if (v.IsNumber())
        return number_text(v);
    return compact_json(v);
}

std::string_view name_of(const rapidjson::Value& key) {
    return {key.GetString(), key.GetStringLength()};
}

bool is_table(const rapidjson::Value& v) {
    return v.IsArray() && !v.Empty() &&
           std::all_of(v.Begin(), v.End(), [](const auto& row) { return row.IsObject(); });
}

std::string table_text(const rapidjson::Value& rows) {
    std::vector<std::string> columns; // every key, in the order first seen
    for (const auto& row : rows.GetArray()) {
        for (const auto& m : row.GetObject()) {
            if (std::find(columns.begin(), columns.end(), name_of(m.name)) == columns.end())
                columns.emplace_back(name_of(m.name));
        }
    }
    std::vector<std::vector<std::string>> cells{columns};
    for (const auto& row : rows.GetArray()) {
        auto& line = cells.emplace_back();
        for (const auto& column : columns) {
            const auto it = row.FindMember(column.c_str());
            line.push_back(it == row.MemberEnd() ? "-" : value_text(it->value));
        }
    }
    std::vector<std::size_t> widths(columns.size(), 0);
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    }
    std::string text;
    for (const auto& line : cells) {
        std::string row;
        for (std::size_t i = 0; i < line.size(); ++i) {
            row += line[i];
            if (i + 1 < line.size())
                row += std::string(widths[i] - line[i].size() + 2, ' ');
        }
        text += row + '\n';
    }
    return text;
}

std::string which_sources(const std::optional<std::string>& source) {
    return source ? *source : "every source";
}

} // namespace

std::string describe_members(const rapidjson::Value& reply) {
    if (!reply.IsObject())
        return value_text(reply) + '\n';
    std::string scalars;
    std::vector<std::string> tables;
    for (const auto& m : reply.GetObject()) {
        const auto key = name_of(m.name);
        if (key == "ok")
            continue;
        if (is_table(m.value))
            tables.push_back(table_text(m.value));
        else if (m.value.IsArray() && m.value.Empty())
            scalars += cat(key, ": none\n");
        else
            scalars += cat(key, ": ", value_text(m.value), '\n');
    }
    std::string text = scalars;
    for (const auto& table : tables)
        text += (text.empty() ? "" : "\n") + table;
    return text;
}

std::string describe_reply(const Command& command, const rapidjson::Value& reply) {
    if (std::holds_alternative<SaveCommand>(command)) {
        const auto seconds = json_number(reply, "seconds");
        const auto source = json_string(reply, "source");
        const auto path = json_string(reply, "path");
        if (seconds && source && path)
            return cat("saved ", fixed(*seconds, 1), " s of ", printable(*source), " to ",
                       printable(*path, 1000), '\n');
    } else if (const auto* pause = std::get_if<PauseCommand>(&command)) {
        return cat("paused ", which_sources(pause->source), '\n');
    } else if (const auto* resume = std::get_if<ResumeCommand>(&command)) {
        return cat("resumed ", which_sources(resume->source), '\n');
    } else if (std::holds_alternative<QuitCommand>(command)) {
        return "isrd is stopping\n";
    }
    return describe_members(reply);
}

} // namespace isr::rec
