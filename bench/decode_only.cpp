// Decodes a file through the same code path as isr-web's analysis (libsndfile or libavcodec),
// on one thread, and throws the samples away: the floor any analysis of the file has to pay.
#include "webserver/media/audio_decoder.hpp"

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: isr_bench_decode FILE\n");
        return 2;
    }
    try {
        auto decoder = isr::web::open_decoder(argv[1]);
        std::vector<float> buffer(16384 * static_cast<std::size_t>(decoder->channels()));
        std::size_t frames = 0;
        while (const auto n = decoder->read(buffer.data(), 16384))
            frames += n;
        std::printf("%zu frames\n", frames);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
