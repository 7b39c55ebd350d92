#pragma once

#include <string>
#include <vector>

namespace isr::web {

// `isr-web analyze [--margin DB] [--min-gap S] [--min-duration S] [--format json|csv] FILE...`:
// the server's analysis from the command line, without a server or a cache. Returns the exit
// code (0 all analysed, 1 some file failed, 2 usage error).
int run_analyze_cli(const std::vector<std::string>& args);

} // namespace isr::web
