#include "common/json.hpp"

#include <cmath>

namespace isr {

JsonWriter& JsonWriter::key(std::string_view k) {
    writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view v) {
    writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
}

JsonWriter& JsonWriter::value(double v) {
    // RapidJSON truncates to the decimal places; round first so 1.2346 prints as 1.235.
    const double scale = std::pow(10.0, decimals_);
    if (std::isfinite(v))
        writer_.Double(std::round(v * scale) / scale);
    else
        writer_.Null();
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
}

std::optional<std::string> json_string(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject())
        return std::nullopt;
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString())
        return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<double> json_number(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject())
        return std::nullopt;
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsNumber())
        return std::nullopt;
    return it->value.GetDouble();
}

std::optional<std::int64_t> json_int(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject())
        return std::nullopt;
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd())
        return std::nullopt;
    if (it->value.IsInt64())
        return it->value.GetInt64();
    if (it->value.IsUint64())
        return static_cast<std::int64_t>(it->value.GetUint64());
    return std::nullopt;
}

std::optional<bool> json_bool(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject())
        return std::nullopt;
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsBool())
        return std::nullopt;
    return it->value.GetBool();
}

std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return {buffer.GetString(), buffer.GetSize()};
}

} // namespace isr
