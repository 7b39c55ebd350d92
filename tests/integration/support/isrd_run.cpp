#include "tests/integration/support/isrd_run.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace isr::test {

void IsrdRun::write_config(const std::string& general, const std::string& sources) {
    write_file(
        config,
        "[general]\noutput_directory = " + recordings.string() +
            "\nfilename_pattern = {source}/{source}_%H%M%S\nlog_file =\nlog_level = DEBUG\n" +
            "control_socket = " + socket.string() + "\n" + general + "\n\n" + sources + "\n");
}

void IsrdRun::start(std::map<std::string, std::string> env) {
    // A test that records hourly files expects one file per source; started in the last 90 s
    // before the top of an hour, it would get two. Such a test waits for the hour to pass.
    if (read_file(config).find("split_interval = 1h") != std::string::npos) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const auto into_hour = now % std::chrono::hours(1);
        if (into_hour > std::chrono::minutes(58) + std::chrono::seconds(30))
            std::this_thread::sleep_for(std::chrono::hours(1) - into_hour +
                                        std::chrono::seconds(1));
    }
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{isrd_path().string(), config.string()}, dir / "isrd.log",
        std::move(env));
}

std::optional<SourceStatus> IsrdRun::status_of(const std::string& source) const {
    const auto reading = read_status_file(recordings / "status.json");
    if (!reading.status)
        return std::nullopt;
    for (const auto& s : reading.status->sources) {
        if (s.name == source)
            return s;
    }
    return std::nullopt;
}

bool IsrdRun::wait_for_state(const std::string& source, const std::string& state,
                             std::chrono::milliseconds timeout) const {
    const bool reached = wait_until(
        [&] {
            const auto s = status_of(source);
            return s && to_string(s->state) == state;
        },
        timeout);
    if (!reached) {
        // Say why in the test output: what status.json and the log say.
        std::fprintf(
            stderr, "[%s] never reached state %s; status.json: %s\nisrd log tail:\n%s\n",
            source.c_str(), state.c_str(), read_file(recordings / "status.json").c_str(),
            process ? process->log()
                          .substr(process->log().size() > 3000 ? process->log().size() - 3000 : 0)
                          .c_str()
                    : "");
    }
    return reached;
}

} // namespace isr::test
