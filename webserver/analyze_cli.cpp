#include "webserver/analyze_cli.hpp"

#include "common/json.hpp"
#include "common/levels/loudness.hpp"
#include "common/strings.hpp"
#include "webserver/analysis/analysis_json.hpp"
#include "webserver/analysis/levels.hpp"
#include "webserver/server_options.hpp"
#include "webserver/work_pool.hpp"

#include <boost/program_options.hpp>

#include <iostream>
#include <thread>

namespace isr::web {

namespace po = boost::program_options;

int run_analyze_cli(const std::vector<std::string>& args) {
    SectionParams params;
    std::string format = "json";
    std::vector<std::string> files;
    po::options_description desc(R"(Usage: isr-web analyze [OPTIONS] FILE...

Finds the loud sections of recordings, as the web UI and /api/analyze do, and prints them.

Options)");
    desc.add_options()("margin", po::value<double>(&params.margin)->default_value(12.0, "12"),
                       "dB above the background noise for a window to be loud")(
        "min-gap", po::value<double>(&params.min_gap)->default_value(2.0, "2"),
        "loud runs closer than this many seconds merge")(
        "min-duration", po::value<double>(&params.min_duration)->default_value(0.5, "0.5"),
        "drop sections shorter than this (after merging)")(
        "format", po::value<std::string>(&format)->default_value("json"),
        "json or csv")("help,h", "show this help");
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::vector<std::string>>(&files));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description positional;
    positional.add("file", -1);
    std::vector<const char*> argv{"isr-web analyze"};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(static_cast<int>(argv.size()), argv.data())
                      .options(all)
                      .positional(positional)
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "isr-web analyze: " << e.what() << "\nTry 'isr-web analyze --help'.\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    const auto bad = [](const std::string& what) {
        std::cerr << "isr-web analyze: " << what << '\n';
        return 2;
    };
    if (files.empty())
        return bad("no FILE given");
    if (format != "json" && format != "csv")
        return bad("--format must be json or csv");
    if (!(params.margin >= 0 && params.margin <= kMarginMax))
        return bad(cat("--margin: expected 0 to ", kMarginMax));
    if (!(params.min_gap >= 0 && params.min_gap <= kGapMax))
        return bad(cat("--min-gap: expected 0 to ", kGapMax));
    if (!(params.min_duration >= 0 && params.min_duration <= kDurationMax))
        return bad(cat("--min-duration: expected 0 to ", kDurationMax));

    WorkPool pool("decode", static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    const auto parts = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int exit_code = 0;
    JsonWriter json;
    json.begin_array();
    if (format == "csv")
        std::cout << "file,start,end,peak_db,floor_db,score\n";
    for (const auto& file : files) {
        try {
            const auto levels = LevelsComputation::start(file, pool, parts)->get();
            const auto floor = noise_floor(levels->db, levels->window_seconds);
            const auto sections = find_sections(levels->db, floor, levels->window_seconds, params);
            if (format == "csv") {
                for (const auto& s : sections) {
                    std::cout << '"' << file << "\"," << fixed(s.start, 1) << ',' << fixed(s.end, 1)
                              << ',' << fixed(s.peak_db, 1) << ',' << fixed(s.floor_db, 1) << ','
                              << fixed(s.score, 1) << '\n';
                }
            } else {
                json.begin_object()
                    .member("file", file)
                    .member("duration", levels->duration)
                    .member("sample_rate", levels->sample_rate)
                    .member("channels", levels->channels);
                json.key("params");
                write_json(json, params);
                json.key("sections").begin_array();
                for (const auto& s : sections)
                    write_json(json, s);
                json.end_array().end_object();
            }
        } catch (const std::exception& e) {
            std::cerr << "isr-web analyze: " << file << ": " << e.what() << '\n';
            exit_code = 1;
        }
    }
    json.end_array();
    if (format == "json")
        std::cout << json.str() << '\n';
    return exit_code;
}

} // namespace isr::web
