#include "tests/integration/support/alsa_run.hpp"

namespace isr::test {

AlsaRun::AlsaRun() {
    std::filesystem::create_directories(control);
}

void AlsaRun::write_config(const std::string& general, const std::vector<AlsaSource>& sources,
                           const std::string& extra) {
    std::string text;
    for (const auto& s : sources) {
        text += "[" + s.name + "]\ntype = soundcard\ndevice = " + s.device +
                "\nformat = " + s.format + "\nchannels = " + std::to_string(s.channels) +
                "\nsample_rate = " + std::to_string(s.rate) +
                "\nbit_depth = " + std::to_string(s.bit_depth) + "\n" + extra + "\n";
    }
    IsrdRun::write_config(general, text);
}

void AlsaRun::start() {
    IsrdRun::start({{"ALSA_CONFIG_PATH", alsa_test_conf().string()},
                    {"ISRTEST_CONTROL_DIR", control.string()}});
}

void AlsaRun::command(const std::string& pcm, const std::string& text) {
    write_file(control / (pcm + ".ctl"), text);
}

} // namespace isr::test
