#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// Streaming JSON output over RapidJSON with the conventions of our API: doubles with at most
// `decimals` places, non-finite numbers as null, optionals as null when empty.
class JsonWriter {
public:
    explicit JsonWriter(int decimals = 3) : writer_(buffer_), decimals_(decimals) {
        writer_.SetMaxDecimalPlaces(decimals);
    }

    JsonWriter& begin_object() {
        writer_.StartObject();
        return *this;
    }
    JsonWriter& end_object() {
        writer_.EndObject();
        return *this;
    }
    JsonWriter& begin_array() {
        writer_.StartArray();
        return *this;
    }
    JsonWriter& end_array() {
        writer_.EndArray();
        return *this;
    }
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view v);
    JsonWriter& value(const char* v) { return value(std::string_view(v)); }
    JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
    JsonWriter& value(bool v) {
        writer_.Bool(v);
        return *this;
    }
    JsonWriter& value(int v) {
        writer_.Int(v);
        return *this;
    }
    JsonWriter& value(long v) {
        writer_.Int64(v);
        return *this;
    }
    JsonWriter& value(long long v) {
        writer_.Int64(v);
        return *this;
    }
    JsonWriter& value(unsigned v) {
        writer_.Uint(v);
        return *this;
    }
    JsonWriter& value(unsigned long v) {
        writer_.Uint64(v);
        return *this;
    }
    JsonWriter& value(unsigned long long v) {
        writer_.Uint64(v);
        return *this;
    }
    JsonWriter& value(double v);
    JsonWriter& value(std::nullptr_t) {
        writer_.Null();
        return *this;
    }
    template <class T> JsonWriter& value(const std::optional<T>& v) {
        return v ? value(*v) : value(nullptr);
    }
    // Inserts already-serialized JSON.
    JsonWriter& raw(std::string_view json);

    template <class T> JsonWriter& member(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
    int decimals_;
};

// Typed, tolerant readers for parsed JSON objects: missing or mistyped members give nullopt.
std::optional<std::string> json_string(const rapidjson::Value& obj, const char* key);
std::optional<double> json_number(const rapidjson::Value& obj, const char* key);
std::optional<std::int64_t> json_int(const rapidjson::Value& obj, const char* key);
std::optional<bool> json_bool(const rapidjson::Value& obj, const char* key);

// Escapes a string as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

} // namespace isr
