// isrd: records HTTP/Icecast streams, ALSA capture devices and the demo generator into files
// split on clock boundaries. See README.md.
#include "common/config.hpp"
#include "common/log.hpp"
#include "common/version.hpp"
#include "recorder/alsa/alsa_devices.hpp"
#include "recorder/control/control_cli.hpp"
#include "recorder/recorder.hpp"

#include <boost/program_options.hpp>

#include <csignal>
#include <iostream>

namespace po = boost::program_options;
using namespace isr;

namespace {

constexpr const char* kUsage = R"(Usage: isrd [OPTIONS] [CONFIG]
       isrd COMMAND [COMMAND OPTIONS]

Records every source of CONFIG (default: config.ini) until SIGTERM or Ctrl+C. A COMMAND (see
below) talks to the isrd already running instead; a config file named like a command is given
as ./NAME.

Options)";

int check_config(const std::string& file) {
    try {
        const auto config = load_config(file);
        std::cout << describe_config(config);
        std::cout << "\nOK: " << file << " is valid (" << config.sources.size() << " source(s))\n";
        return 0;
    } catch (const ConfigError& e) {
        for (const auto& line : e.errors())
            std::cerr << line << '\n';
        std::cerr << e.errors().size() << " problem(s) in " << file << '\n';
        return 1;
    }
}

} // namespace

int main(int argc, char** argv) {
    // A peer that closes its socket, or a log reader that goes away, must be an error to handle,
    // not a signal that ends the recorder.
    std::signal(SIGPIPE, SIG_IGN);
    // The command word comes first, so that CONFIG and the daemon's flags keep their meaning.
    if (argc > 1 && rec::is_control_command(argv[1]))
        return rec::run_control_cli(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                    std::cerr);
    po::options_description options(kUsage);
    options.add_options()("check-config", "check CONFIG, print each source's resolved settings "
                                          "(passwords masked), exit 0 if valid, 1 if not")(
        "list-devices", "list ALSA capture devices and PCMs with the value to put in `device =`")(
        "help,h", "show this help")("version,V", "show the version");
    po::options_description hidden;
    hidden.add_options()("config", po::value<std::string>()->default_value("config.ini"));
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("config", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "isrd: " << e.what() << '\n';
        // `isrd --socket P status`: the options of a command go after its word.
        for (int i = 2; i < argc; ++i) {
            if (rec::is_control_command(argv[i])) {
                std::cerr << "A command comes first: isrd " << argv[i] << " [OPTIONS].\n";
                break;
            }
        }
        std::cerr << "Try 'isrd --help'.\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout
            << options << '\n'
            << rec::control_cli_usage()
            << "\nThe configuration format is described in README.md and config.example.ini.\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "isrd " << kVersion << '\n';
        return 0;
    }
    if (vm.count("list-devices")) {
        std::cout << rec::describe_capture_devices();
        return 0;
    }
    const auto file = vm["config"].as<std::string>();
    if (vm.count("check-config"))
        return check_config(file);

    Config config;
    try {
        config = load_config(file);
    } catch (const ConfigError& e) {
        for (const auto& line : e.errors())
            log::critical("", line);
        log::critical("", "not starting: fix ", file, " (check it with `isrd --check-config ", file,
                      "`)");
        return 1;
    }
    try {
        rec::Recorder recorder(std::move(config));
        return recorder.run();
    } catch (const std::exception& e) {
        log::critical("", e.what());
        return 1;
    }
}
