#include "webserver/request_parser.hpp"

#include "common/strings.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace isr::web {

namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

namespace {

Method method_of(http::verb v) noexcept {
    switch (v) {
    case http::verb::get:
        return Method::get;
    case http::verb::head:
        return Method::head;
    case http::verb::post:
        return Method::post;
    case http::verb::put:
        return Method::put;
    case http::verb::delete_:
        return Method::delete_;
    case http::verb::options:
        return Method::options;
    default:
        return Method::other;
    }
}

std::string_view view(string_view s) noexcept {
    return {s.data(), s.size()};
}

} // namespace

RequestParser::RequestParser() {
    header_limit(kRequestHeaderLimit);
    body_limit(kRequestBodyLimit);
}

void RequestParser::on_request_impl(http::verb method, string_view, string_view target, int version,
                                    error_code&) {
    request_.method = method_of(method);
    request_.target.assign(target.data(), target.size());
    request_.version = version;
}

void RequestParser::on_field_impl(http::field name, string_view name_string, string_view value,
                                  error_code& ec) {
    if (is_header_done()) {
        // Trailer fields: nothing here uses them, so they are counted and dropped.
        trailer_bytes_ += name_string.size() + value.size() + 4;
        if (trailer_bytes_ > kTrailerLimit) {
            trailer_too_large_ = true;
            ec = http::error::header_limit;
        }
        return;
    }
    if (name == http::field::host)
        ++hosts_;
    if (name == http::field::transfer_encoding) {
        // Beast marks the body chunked only when "chunked" is the final coding; anything else
        // would leave the body to be read as the next request.
        if (!iequals(trim(view(value)), "chunked"))
            unsupported_coding_ = true;
    }
    request_.headers.emplace_back(std::string(view(name_string)), std::string(view(value)));
}

void RequestParser::on_header_impl(error_code& ec) {
    request_.keep_alive = keep_alive();
    if (unsupported_coding_) {
        ec = http::error::bad_transfer_encoding;
        return;
    }
    if (hosts_ > 1 || (hosts_ == 0 && request_.version >= 11)) {
        missing_host_ = hosts_ == 0;
        ec = http::error::bad_field;
    }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
    if (length)
        request_.body.reserve(
            static_cast<std::size_t>(std::min<std::uint64_t>(*length, kRequestBodyLimit)));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& ec) {
    if (request_.body.size() + body.size() > kRequestBodyLimit) {
        ec = http::error::body_limit;
        return 0;
    }
    request_.body.append(body.data(), body.size());
    return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
    return on_body_impl(body, ec);
}

int RequestParser::error_status(const error_code& ec) const noexcept {
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return 431;
    if (ec == http::error::body_limit)
        return 413;
    if (ec == http::error::bad_transfer_encoding && unsupported_coding_)
        return 501;
    return 400;
}

std::string RequestParser::error_message(const error_code& ec) const {
    if (trailer_too_large_)
        return cat("bad request: the fields after the chunked body exceed ", kTrailerLimit,
                   " bytes");
    if (ec == http::error::header_limit) {
        return cat("bad request: the request line and header fields exceed ", kRequestHeaderLimit,
                   " bytes");
    }
    if (ec == http::error::buffer_overflow) {
        return "bad request: header fields, chunk extensions or trailer fields too large to parse";
    }
    if (ec == http::error::body_limit)
        return cat("bad request: the body exceeds ", kRequestBodyLimit, " bytes");
    if (ec == http::error::bad_transfer_encoding && unsupported_coding_) {
        return "unsupported Transfer-Encoding: only chunked is understood";
    }
    if (ec == http::error::bad_field && hosts_ != 1) {
        return missing_host_ ? "bad request: HTTP/1.1 requires a Host field"
                             : "bad request: more than one Host field";
    }
    return cat("bad request: ", ec.message());
}

std::size_t feed(RequestParser& parser, std::string_view bytes, error_code& ec) noexcept {
    std::size_t used = 0;
    ec = {};
    while (!parser.is_done()) {
        const auto n =
            parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        if (!ec && n == 0 && !parser.is_done())
            ec = http::error::need_more; // nothing left to take
        if (ec == http::error::need_more) {
            if (used == bytes.size() || n == 0) {
                if (parser.got_some())
                    parser.put_eof(ec); // the connection ends here
                else
                    ec = http::error::end_of_stream;
                return used;
            }
            ec = {};
            continue;
        }
        if (ec)
            return used;
    }
    return used;
}

} // namespace isr::web
