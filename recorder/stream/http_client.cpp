#include "recorder/stream/http_client.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "recorder/source.hpp"
#include "recorder/stream/response_head.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include <sys/ioctl.h>
#include <sys/socket.h>

namespace isr::rec {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

std::string base64(std::string_view in) {
    std::string out(beast::detail::base64::encoded_size(in.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), in.data(), in.size()));
    return out;
}

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
}

// What a user should check for an HTTP status.
std::string advice(int status) {
    switch (status) {
    case 400:
        return "the server rejected the request; check the URL";
    case 401:
        return "authentication required or refused; check username and password";
    case 403:
        return "access forbidden; the server refuses this client or address (check its access "
               "rules)";
    case 404:
        return "no such stream; check the mount point / path in url (it may be off the air)";
    case 407:
        return "a proxy wants authentication";
    case 429:
        return "too many requests; the server rate-limits this client";
    case 500:
        return "the streaming server failed";
    case 502:
    case 504:
        return "a proxy in front of the stream could not reach it";
    case 503:
        return "the stream is unavailable (source not connected, or listener limit reached)";
    default:
        return status >= 500 ? "the server reported an error" : "unexpected answer";
    }
}

} // namespace

struct HttpStream::Impl {
    HttpOptions options;
    net::io_context ioc{1};
    std::optional<ssl::context> tls; // only for https: an OpenSSL context costs memory
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    std::optional<http::response_parser<http::buffer_body>> parser;
    beast::flat_buffer raw; // received, not yet given to the parser
    Url url;
    std::string credentials;           // "user:password" for Basic auth, or empty
    Url configured;                    // credentials go to its origin only, never across origins
    bool credentials_withheld = false; // the last request went elsewhere without them
    bool body_ended = false;
    net::steady_timer read_deadline{ioc};
    std::uint64_t read_generation = 0; // a deadline that fired for an earlier read is ignored
    bool read_timed_out = false;
    int low_water_mark = 1;

    explicit Impl(HttpOptions o) : options(std::move(o)) {}

    ssl::context& tls_context() {
        if (!tls) {
            tls.emplace(ssl::context::tls_client);
            tls->set_default_verify_paths();
            tls->set_verify_mode(options.tls_verify ? ssl::verify_peer : ssl::verify_none);
        }
        return *tls;
    }

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    [[noreturn]] void fail(const std::string& what) const {
        throw SourceError(cat(url.to_string(), ": ", what));
    }

    // Runs the io_context until `done`. A stop request, from another thread, cancels what is
    // pending through the io_context, so the thread sleeps until there is something to do
    // instead of waking up to look at the stop token.
    template <class Done>
    void run_until(Done done, std::stop_token stop, std::function<void()> cancel = {}) {
        ioc.restart();
        std::stop_callback on_stop(stop, [this, cancel] {
            net::post(ioc, [this, cancel] {
                error_code ignored;
                if (plain || secure)
                    lowest().socket().cancel(ignored);
                if (cancel)
                    cancel();
            });
        });
        // A second at most per turn: a wait of up to stall_timeout_seconds reports that it is
        // waiting (options.alive), not stuck.
        while (!done() && !stop.stop_requested()) {
            if (ioc.run_one_for(std::chrono::seconds(1)) == 0 && ioc.stopped())
                break; // nothing left to wait for
            if (options.alive)
                options.alive();
        }
        if (stop.stop_requested())
            ioc.poll(); // let the cancelled operation complete
    }

    // Numeric addresses need no lookup (and no resolver thread, which Asio keeps per
    // io_context for as long as the stream lives).
    std::vector<tcp::endpoint> resolve(std::stop_token stop) {
        error_code ec;
        const auto port = url.port_number();
        if (const auto address = net::ip::make_address(url.host, ec); !ec)
            return {tcp::endpoint(address, port)};
        tcp::resolver resolver(ioc);
        net::steady_timer deadline(ioc);
        std::optional<error_code> result;
        bool timed_out = false;
        std::vector<tcp::endpoint> endpoints;
        resolver.async_resolve(url.host, url.port,
                               [&](error_code e, tcp::resolver::results_type r) {
                                   result = e;
                                   for (const auto& entry : r)
                                       endpoints.push_back(entry.endpoint());
                                   deadline.cancel();
                               });
        deadline.expires_after(seconds(options.connect_timeout_seconds));
        deadline.async_wait([&](error_code e) {
            if (!e) {
                timed_out = true;
                resolver.cancel();
            }
        });
        run_until([&] { return result.has_value(); }, stop, [&] { resolver.cancel(); });
        if (stop.stop_requested())
            return {};
        if (timed_out) {
            fail(cat("DNS lookup of ", url.host, " timed out after ",
                     options.connect_timeout_seconds, " s; check the network and DNS"));
        }
        if (*result)
            fail(cat("cannot resolve host ", url.host, ": ", result->message(),
                     "; check the host name and DNS"));
        return endpoints;
    }

    void connect(std::stop_token stop) {
        plain.reset();
        secure.reset();
        low_water_mark = 1; // a new socket starts with the default
        const auto endpoints = resolve(stop);
        if (stop.stop_requested())
            return;
        std::optional<error_code> result;

        if (url.tls()) {
            secure.emplace(ioc, tls_context());
        } else {
            plain.emplace(ioc);
        }
        auto& tcp_layer = lowest();
        tcp_layer.expires_after(seconds(options.connect_timeout_seconds));
        result.reset();
        tcp_layer.async_connect(endpoints,
                                [&](error_code ec, const tcp::endpoint&) { result = ec; });
        run_until([&] { return result.has_value(); }, stop);
        if (stop.stop_requested())
            return;
        if (*result == beast::error::timeout) {
            fail(cat("connecting to ", url.host, ':', url.port, " timed out after ",
                     options.connect_timeout_seconds, " s; is the server up and the port open?"));
        }
        if (*result) {
            fail(cat("cannot connect to ", url.host, ':', url.port, ": ", result->message(),
                     "; is the server running and the port right?"));
        }
        if (secure) {
            // SNI; SSL_set_tlsext_host_name is a macro with an old-style cast.
            if (!SSL_ctrl(secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                          TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str()))) {
                fail("cannot set the TLS server name");
            }
            if (options.tls_verify)
                secure->set_verify_callback(ssl::host_name_verification(url.host));
            tcp_layer.expires_after(seconds(options.connect_timeout_seconds));
            result.reset();
            secure->async_handshake(ssl::stream_base::client, [&](error_code ec) { result = ec; });
            run_until([&] { return result.has_value(); }, stop);
            if (stop.stop_requested())
                return;
            if (*result == beast::error::timeout) {
                fail(cat("TLS handshake timed out after ", options.connect_timeout_seconds, " s"));
            }
            if (*result) {
                fail(cat("TLS handshake failed: ", result->message(),
                         options.tls_verify
                             ? "; if the server uses a self-signed certificate, set tls_verify = no"
                             : ""));
            }
        }
    }

    void send_request(std::stop_token stop) {
        http::request<http::empty_body> req{http::verb::get, url.target, 11};
        req.set(http::field::host, url.host_header());
        req.set(http::field::user_agent, options.user_agent);
        req.set(http::field::accept, "*/*");
        req.set(http::field::connection, "close");
        // Never to another scheme, host or port than the configured URL's: a redirect must not
        // hand the password to a server the user did not name, nor send it over plain HTTP.
        credentials_withheld = !credentials.empty() && !same_origin(url, configured);
        if (!credentials.empty() && !credentials_withheld) {
            req.set(http::field::authorization, "Basic " + base64(credentials));
        }
        lowest().expires_after(seconds(options.connect_timeout_seconds));
        std::optional<error_code> result;
        if (secure) {
            http::async_write(*secure, req, [&](error_code ec, std::size_t) { result = ec; });
        } else {
            http::async_write(*plain, req, [&](error_code ec, std::size_t) { result = ec; });
        }
        run_until([&] { return result.has_value(); }, stop);
        if (!stop.stop_requested() && *result)
            fail(cat("cannot send the request: ", result->message()));
    }

    enum class Received { data, end, timeout, stopped };

    // Reads more bytes into `raw`: data, the end of the stream, nothing within `timeout`, or a
    // stop request. Throws SourceError on a network error.
    // The deadline is a timer of our own that cancels the read, rather than the stream's expiry,
    // which would close the socket: when it fires with bytes waiting under the low-water mark
    // (a stream slower than expected, or the last bytes before the server went quiet), those
    // bytes are still read and recorded, and only a wait with nothing at all is a timeout.
    Received receive(double timeout, std::stop_token stop) {
        lowest().expires_never();
        const auto generation = ++read_generation;
        read_timed_out = false;
        read_deadline.expires_after(seconds(timeout));
        read_deadline.async_wait([this, generation](error_code ec) {
            if (ec || generation != read_generation)
                return;
            read_timed_out = true;
            error_code ignored;
            lowest().socket().cancel(ignored);
        });
        std::optional<error_code> result;
        const auto buffer = raw.prepare(16384);
        std::size_t got = 0;
        const auto done = [&](error_code ec, std::size_t n) {
            result = ec;
            got = n;
        };
        if (secure)
            secure->async_read_some(buffer, done);
        else
            plain->async_read_some(buffer, done);
        run_until([&] { return result.has_value(); }, stop);
        read_deadline.cancel();
        if (stop.stop_requested())
            return Received::stopped;
        raw.commit(got);
        if (*result == net::error::eof || *result == ssl::error::stream_truncated) {
            return got > 0 ? Received::data : Received::end;
        }
        if (read_timed_out && got == 0) {
            if (low_water_mark > 1 && bytes_waiting() > 0) {
                wake_for(1);
                return receive(timeout, stop);
            }
            return Received::timeout;
        }
        if (*result)
            fail(cat("connection lost: ", result->message()));
        return Received::data;
    }

    void wake_for(int bytes) {
        if (!plain && !secure)
            return;
        auto& socket = lowest().socket();
        if (socket.is_open() && ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVLOWAT,
                                             &bytes, sizeof bytes) == 0) {
            low_water_mark = bytes;
        }
    }

    int bytes_waiting() {
        int n = 0;
        return ::ioctl(lowest().socket().native_handle(), FIONREAD, &n) == 0 ? n : 0;
    }

    // Reads the response head within connect_timeout_seconds in total, however the server
    // trickles it (one header line every few seconds would otherwise keep a source "connecting"
    // for as long as the server likes). parse_response_head() makes SHOUTcast's "ICY 200 OK",
    // bare LF line ends and interim 1xx responses acceptable to Beast's strict parser.
    void read_head(std::stop_token stop) {
        raw.clear();
        const double limit = options.connect_timeout_seconds;
        const double deadline = mono_now() + limit;
        ResponseHead head;
        for (;;) {
            const std::string_view received(static_cast<const char*>(raw.cdata().data()),
                                            raw.size());
            head = parse_response_head(received);
            if (head.status == ResponseHead::Status::complete)
                break;
            if (head.status == ResponseHead::Status::invalid) {
                fail(cat("the server's answer is not HTTP: ", head.problem, "; it starts with \"",
                         printable(received.substr(0, 60)), "\"; check the URL and port"));
            }
            const double left = deadline - mono_now();
            const auto got = left > 0 ? receive(left, stop) : Received::timeout;
            if (got == Received::stopped)
                return;
            const std::string_view so_far(static_cast<const char*>(raw.cdata().data()), raw.size());
            if (got == Received::end) {
                fail(
                    raw.size() == 0
                        ? std::string("the server closed the connection without answering")
                        : cat("the server closed the connection in the middle of its response head "
                              "(after ",
                              raw.size(), " bytes)"));
            }
            if (got == Received::timeout) {
                fail(cat("no complete response head within ", limit, " s (connect_timeout_seconds)",
                         raw.size() == 0
                             ? std::string("; the server accepted the connection but sent nothing")
                             : cat("; it sent ", raw.size(), " bytes, starting \"",
                                   printable(so_far.substr(0, 60)), "\""),
                         "; is this a stream server?"));
            }
        }
        raw.consume(head.size);
        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(kMaxResponseHeadBytes));
        // An endless body has no limit. Not boost::none: Beast 1.74 compares a Content-Length
        // with the optional limit, and any length is "greater" than none (a 200 with a
        // Content-Length was refused as "body limit exceeded").
        parser->body_limit(std::numeric_limits<std::uint64_t>::max());
        parser->eager(true);
        error_code ec;
        parser->put(net::buffer(head.head), ec);
        if (ec || !parser->is_header_done()) {
            fail(cat("the server's answer is not HTTP (", ec ? ec.message() : "incomplete head",
                     "): it starts with \"", printable(std::string_view(head.head).substr(0, 60)),
                     "\""));
        }
        body_ended = false;
    }

    std::size_t read_body(std::span<std::uint8_t> out, std::stop_token stop, double stall) {
        while (!stop.stop_requested()) {
            if (body_ended)
                return 0;
            if (raw.size() > 0 || parser->is_done()) {
                auto& body = parser->get().body();
                body.data = out.data();
                body.size = out.size();
                error_code ec;
                std::size_t used = 0;
                if (raw.size() > 0)
                    used = parser->put(raw.data(), ec);
                raw.consume(used);
                if (ec == http::error::need_buffer)
                    ec = {};
                if (ec && ec != http::error::need_more)
                    fail(cat("malformed response body: ", ec.message()));
                const auto produced = out.size() - body.size;
                if (produced > 0)
                    return produced;
                if (parser->is_done()) {
                    body_ended = true;
                    return 0;
                }
                if (used > 0)
                    continue; // e.g. a chunk header was consumed
            }
            if (const auto remaining = parser->content_length_remaining();
                remaining && *remaining > 0 &&
                *remaining < static_cast<std::uint64_t>(low_water_mark)) {
                // The end of a body with a Content-Length comes in less than the low-water mark.
                wake_for(static_cast<int>(*remaining));
            }
            const auto got = receive(stall, stop);
            if (got == Received::stopped)
                return 0;
            if (got == Received::timeout)
                fail(cat("no audio data for ", stall, " s (stalled); reconnecting"));
            if (got == Received::end) {
                error_code ec;
                parser->put_eof(ec);
                auto& body = parser->get().body();
                body.data = nullptr;
                body.size = 0;
                body_ended = true;
                if (ec && ec != http::error::partial_message)
                    fail(cat("connection closed mid-body: ", ec.message()));
                return 0;
            }
        }
        return 0;
    }
};

void HttpStream::wake_for(int bytes) {
    impl_->wake_for(bytes);
}

HttpStream::HttpStream(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpStream::~HttpStream() = default;

void HttpStream::open(const std::string& url_text, std::stop_token stop) {
    auto& d = *impl_;
    const auto url = Url::parse(url_text);
    if (!url) {
        throw SourceError(
            cat(printable(mask_url_password(url_text)), ": not a usable http:// or https:// URL"));
    }
    d.url = *url;
    d.configured = *url;
    if (!d.options.username.empty() || !d.options.password.empty()) {
        d.credentials = d.options.username + ":" + d.options.password;
    } else if (!url->userinfo.empty()) {
        d.credentials =
            url->userinfo.find(':') == std::string::npos ? url->userinfo + ":" : url->userinfo;
    }
    for (int hop = 0;; ++hop) {
        d.connect(stop);
        if (stop.stop_requested())
            return;
        d.send_request(stop);
        if (stop.stop_requested())
            return;
        d.read_head(stop);
        if (stop.stop_requested())
            return;
        const int code = static_cast<int>(d.parser->get().result_int());
        const auto reason = printable(std::string(d.parser->get().reason()), 80);
        if (code == 204 || code == 205) {
            d.fail(cat("HTTP ", code, ' ', reason,
                       ": the server answered without any content; "
                       "check the URL (the mount may exist without a source connected to it)"));
        }
        if (code >= 200 && code < 300) {
            if (d.parser->content_length() && *d.parser->content_length() == 0) {
                d.fail(cat("HTTP ", code, ' ', reason,
                           " with an empty body (Content-Length: 0); "
                           "check the URL (the mount may exist without a source connected to it)"));
            }
            return;
        }
        if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
            const auto location = std::string(d.parser->get()[http::field::location]);
            const auto shown = printable(mask_url_password(location));
            if (location.empty())
                d.fail(cat("HTTP ", code, " redirect without a Location header"));
            if (hop + 1 > d.options.max_redirects) {
                d.fail(cat("more than ", d.options.max_redirects,
                           " redirects (a loop?); last Location: ", shown));
            }
            auto next = d.url.resolve(location);
            if (!next)
                d.fail(cat("HTTP ", code, " redirect to an unusable Location: ", shown));
            if (d.url.tls() && !next->tls()) {
                // Following it would send the request, and whatever the stream reveals, in clear
                // text to whoever answers: the same rule as HSTS and curl's --proto-redir.
                d.fail(cat("HTTP ", code, " redirect from https to plain http (", next->to_string(),
                           ") refused: isrd never gives up TLS on a redirect; if the plain URL is "
                           "intended, put it in url"));
            }
            d.url = *next;
            continue;
        }
        if (code == 401 && d.credentials_withheld) {
            d.fail(cat("HTTP 401 ", reason,
                       ": authentication required, but the credentials are only "
                       "sent to ",
                       d.configured.origin(),
                       " (the configured URL) and the server "
                       "redirected to ",
                       d.url.origin(), "; if that server is the right one, put ", d.url.to_string(),
                       " in url"));
        }
        d.fail(cat("HTTP ", code, ' ', reason, ": ", advice(code)));
    }
}

std::optional<std::uint64_t> HttpStream::content_length() const {
    if (!impl_->parser)
        return std::nullopt;
    const auto length = impl_->parser->content_length();
    return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
}

std::size_t HttpStream::read_some(std::span<std::uint8_t> out, std::stop_token stop) {
    return impl_->read_body(out, stop, impl_->options.stall_timeout_seconds);
}

int HttpStream::status() const noexcept {
    return impl_->parser ? static_cast<int>(impl_->parser->get().result_int()) : 0;
}

std::string HttpStream::header(std::string_view name) const {
    if (!impl_->parser)
        return {};
    const auto& msg = impl_->parser->get();
    const auto it = msg.find(beast::string_view(name.data(), name.size()));
    return it == msg.end() ? std::string() : std::string(it->value());
}

const Url& HttpStream::url() const noexcept {
    return impl_->url;
}
std::string HttpStream::describe() const {
    return impl_->url.to_string();
}

} // namespace isr::rec
