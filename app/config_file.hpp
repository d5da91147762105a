#pragma once
// --config FILE: TOML keys named like the flags with underscores. They become command-line tokens
// placed before the user's own flags, so flags given on the command line override the file.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace gdmft::app {

// Returns the path given by --config FILE or --config=FILE in args, or "".
std::string find_config_path(const std::vector<std::string>& args);
// Reads the TOML file and returns tokens ("--g-h", "2.5", ...). Throws BadInput naming the key for an
// unknown key (one that is not an option of `cmd`), a table/array value, or an unreadable file.
std::vector<std::string> config_tokens(const std::string& path, const CLI::App& cmd);

}  // namespace gdmft::app
