#include "tests/integration/support/test_media.hpp"

#include "tests/integration/support/process.hpp"

#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace isr::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "v1"; // bump when the signal below changes
constexpr double kSeconds = 180;

std::string signal_expression() {
    // Noise whose level rises 20 dB over the file; tones 25 dB above it; short clicks.
    const std::string level = "pow(10,(-50+20*t/180)/20)";
    std::string events;
    for (const auto& e : ground_truth_events()) {
        if (e.start == 120.0)
            continue; // the close pair is added as its two halves
        events += "+between(t," + std::to_string(e.start) + "," + std::to_string(e.end) + ")";
    }
    for (const auto& e : ground_truth_close_pair())
        events += "+between(t," + std::to_string(e.start) + "," + std::to_string(e.end) + ")";
    std::string clicks;
    for (const double c : ground_truth_clicks())
        clicks += "+between(t," + std::to_string(c) + "," + std::to_string(c + 0.05) + ")";
    const std::string one = "(random(0)*2-1)*" + level + "+(0" + events + ")*18*" + level +
                            "*sin(2*PI*1000*t)+(0" + clicks + ")*30*" + level + "*sin(2*PI*2500*t)";
    return one + "|" + one;
}

} // namespace

const std::vector<Event>& ground_truth_events() {
    static const std::vector<Event> events = {
        {20.0, 22.0}, {50.0, 50.8}, {90.0, 93.0}, {120.0, 122.2}, {150.0, 151.5}};
    return events;
}

const std::vector<Event>& ground_truth_close_pair() {
    static const std::vector<Event> pair = {{120.0, 120.6}, {121.6, 122.2}};
    return pair;
}

const std::vector<double>& ground_truth_clicks() {
    static const std::vector<double> clicks = {40.0, 80.0, 160.0};
    return clicks;
}

fs::path ground_truth(const std::string& ext) {
    const auto dir = fs::path(ISR_TEST_MEDIA_DIR) / kVersion;
    fs::create_directories(dir);
    const auto path = dir / ("ground_truth" + ext);
    const int lock = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ::flock(lock, LOCK_EX);
    struct Unlock {
        int fd;
        ~Unlock() {
            ::flock(fd, LOCK_UN);
            ::close(fd);
        }
    } unlock{lock};
    if (fs::exists(path))
        return path;
    const auto wav = dir / "ground_truth.wav";
    if (!fs::exists(wav)) {
        const auto tmp = dir / "ground_truth.tmp.wav";
        const auto r = run_command("ffmpeg -nostdin -v error -y -f lavfi -i \"aevalsrc='" +
                                   signal_expression() + "':s=22050:d=" + std::to_string(kSeconds) +
                                   "\" -c:a pcm_s16le '" + tmp.string() + "'");
        if (r.status != 0)
            throw std::runtime_error("ffmpeg could not make the test signal: " + r.output);
        fs::rename(tmp, wav);
        if (ext == ".wav")
            return wav;
    }
    std::string codec;
    if (ext == ".flac")
        codec = "-c:a flac";
    else if (ext == ".mp3")
        codec = "-c:a libmp3lame -b:a 96k";
    else if (ext == ".ogg")
        codec = "-c:a libvorbis -q:a 4";
    else if (ext == ".opus")
        codec = "-ar 48000 -c:a libopus -b:a 96k";
    else if (ext == ".aac")
        codec = "-c:a aac -b:a 96k -f adts";
    else
        throw std::invalid_argument("no test media for " + ext);
    const auto tmp = dir / ("ground_truth.tmp" + ext);
    const auto r = run_command("ffmpeg -nostdin -v error -y -i '" + wav.string() + "' " + codec +
                               " '" + tmp.string() + "'");
    if (r.status != 0)
        throw std::runtime_error("ffmpeg could not encode " + ext + ": " + r.output);
    fs::rename(tmp, path);
    return path;
}

} // namespace isr::test
