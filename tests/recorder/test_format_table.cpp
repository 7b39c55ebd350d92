#include "common/audio_formats.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/stream_format.hpp"
#include "recorder/writer/pcm_file_writer.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::rec;

TEST_CASE("isrd's framers, writers and stream types all come from the format table", "[recorder]") {
    for (const auto& f : audio_formats()) {
        INFO(f.name);
        auto framer = framing::make_framer(f.name);
        CHECK((framer != nullptr) == (f.framing != Framing::none));
        if (framer)
            CHECK(framer->extension() == "." + std::string(f.extension));
        if (f.pcm_target)
            CHECK(PcmFileWriter::extension(std::string(f.name)) == "." + std::string(f.extension));
        for (const auto type : f.stream_types)
            CHECK(format_for_content_type(type) == std::string(f.name));
    }
    CHECK(format_for_content_type("audio/ogg;codecs=opus") == std::string("opus"));
    CHECK_FALSE(format_for_content_type("text/html"));
    CHECK(framing::make_framer("wav") == nullptr);
}
