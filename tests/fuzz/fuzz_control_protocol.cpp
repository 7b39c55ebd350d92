// isrd's control protocol: request lines from any bytes. What is accepted must encode to a line
// that parses back to the same command (numbers within a few units in the last place: RapidJSON
// reads them without full precision); what is refused must make a reply line that parses back.
#include "recorder/control/protocol.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace isr::rec;

bool close(double a, double b) {
    return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
}

bool close(const std::optional<double>& a, const std::optional<double>& b) {
    return a.has_value() == b.has_value() && (!a || close(*a, *b));
}

bool same(const Command& a, const Command& b) {
    const auto* x = std::get_if<SaveCommand>(&a);
    const auto* y = std::get_if<SaveCommand>(&b);
    if (!x || !y)
        return a == b;
    return x->source == y->source && close(x->seconds, y->seconds) && x->label == y->label &&
           close(x->post_seconds, y->post_seconds) && x->since_last == y->since_last;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    try {
        const auto command = parse_command(line);
        if (!same(parse_command(encode_command(command)), command))
            std::abort();
    } catch (const ProtocolError& e) {
        const auto reply = parse_reply(Reply::failure(e.what()).line());
        if (reply.ok || reply.error != e.what())
            std::abort();
    }
    return 0;
}
