#pragma once

#include "webserver/request.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>

namespace isr::web {

// Limits of what one request may occupy, whatever a client sends.
inline constexpr std::uint32_t kRequestHeaderLimit = 16 * 1024; // request line and fields
inline constexpr std::uint64_t kRequestBodyLimit = 64 * 1024;   // no endpoint takes more
inline constexpr std::size_t kTrailerLimit = 4 * 1024;          // fields after a chunked body

// Parses one request into a `Request` (no Beast types escape). Never throws: every input that
// Beast's own parser would turn into an exception (a 64 KiB field, say) becomes an error code,
// and the class says which status answers it. Not thread-safe; one per request.
//
// Beyond Beast's checks it refuses what would let a request be read two ways (RFC 9112):
// a Transfer-Encoding other than a final "chunked" (501: otherwise the body would be parsed as
// a second request), several Host fields, or none in HTTP/1.1 (400).
class RequestParser : public boost::beast::http::basic_parser<true> {
public:
    RequestParser();

    // The request read so far (complete once is_done()).
    Request& request() noexcept { return request_; }
    const Request& request() const noexcept { return request_; }

    // The status for a failed parse: 400, 413 (body), 431 (fields), 501 (transfer coding).
    int error_status(const boost::beast::error_code& ec) const noexcept;
    // A sentence for the JSON error of a failed parse.
    std::string error_message(const boost::beast::error_code& ec) const;

private:
    void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                         boost::beast::string_view target, int version,
                         boost::beast::error_code& ec) override;
    void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {
    }
    void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                       boost::beast::string_view value, boost::beast::error_code& ec) override;
    void on_header_impl(boost::beast::error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                           boost::beast::error_code& ec) override;
    std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                              boost::beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                   boost::beast::error_code& ec) override;
    void on_finish_impl(boost::beast::error_code&) override {}

    Request request_;
    std::size_t hosts_ = 0;
    std::size_t trailer_bytes_ = 0;
    bool unsupported_coding_ = false;
    bool missing_host_ = false;
    bool trailer_too_large_ = false;
};

// Feeds `bytes` to a parser the way the session's reads do, then signals the end of the input:
// `ec` ends as the read would report it (clear when a request is complete). Returns the bytes
// consumed. For tests and fuzzing; never throws.
std::size_t feed(RequestParser& parser, std::string_view bytes,
                 boost::beast::error_code& ec) noexcept;

} // namespace isr::web
