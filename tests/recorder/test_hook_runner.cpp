#include "recorder/hooks/hook_runner.hpp"

#include "common/clock.hpp"
#include "common/file_util.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include <sys/stat.h>

using isr::rec::HookJob;
using isr::rec::HookRunner;

namespace {

bool wait_for(const std::function<bool()>& done, double seconds) {
    const double until = isr::mono_now() + seconds;
    while (!done()) {
        if (isr::mono_now() > until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// A hook program that writes its arguments, one a line, to `out` (then renames it into place,
// so the test never reads half of it).
std::filesystem::path argv_script(const std::filesystem::path& dir,
                                  const std::filesystem::path& out) {
    const auto script = dir / "hook.sh";
    std::ofstream(script) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '"
                          << out.string() << ".tmp'\nmv '" << out.string() << ".tmp' '"
                          << out.string() << "'\n";
    ::chmod(script.c_str(), 0755);
    return script;
}

} // namespace

TEST_CASE("a hook runs without a shell with its arguments as given", "[recorder][hooks]") {
    isr::test::ScratchDir dir("isr-hooks");
    const auto out = dir.path / "argv.txt";
    HookRunner hooks;
    REQUIRE(hooks.run(HookJob{"on_file_closed",
                              "mic",
                              {argv_script(dir.path, out).string(), "a b", "$HOME", "it's;ls"},
                              10}));
    REQUIRE(wait_for([&] { return std::filesystem::exists(out); }, 10));
    REQUIRE(isr::read_small_file(out) == "a b\n$HOME\nit's;ls\n");
    REQUIRE(wait_for([&] { return hooks.busy() == 0; }, 10));
}

TEST_CASE("a hook that hangs is killed after its timeout and holds up nothing",
          "[recorder][hooks]") {
    isr::test::ScratchDir dir("isr-hooks");
    const auto out = dir.path / "after.txt";
    // Written before any hook is spawned: a child forked while the script is open for writing
    // would make running it fail with "Text file busy".
    const auto script = argv_script(dir.path, out);
    HookRunner hooks;
    const double before = isr::mono_now();
    // A script whose child would outlive it: the whole process group goes.
    REQUIRE(hooks.run(HookJob{"on_alarm", "mic", {"/bin/sh", "-c", "sleep 60 & sleep 60"}, 0.5}));
    REQUIRE(hooks.run(HookJob{"on_alarm_clear", "mic", {script.string(), "x"}, 10}));
    REQUIRE(isr::mono_now() - before < 0.1); // run() only queues
    REQUIRE(wait_for([&] { return std::filesystem::exists(out); }, 10));
    REQUIRE(wait_for([&] { return hooks.busy() == 0; }, 10));
    REQUIRE(isr::mono_now() - before < 5);
}

TEST_CASE("a hook program that does not exist is logged and forgotten", "[recorder][hooks]") {
    HookRunner hooks;
    REQUIRE(hooks.run(HookJob{"on_alarm", "mic", {"/nonexistent/isr-hook"}, 1}));
    REQUIRE(wait_for([&] { return hooks.busy() == 0; }, 10));
    REQUIRE(hooks.dropped() == 0);
}
