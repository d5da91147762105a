#pragma once
// Printing results: the JSON summary on stdout, and the plot scripts. Files (atomic CSV with a '#'
// header) and the JSON of each result type come from the library's io/ module.
#include "io/csv.hpp"
#include "io/json.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::app {

using io::csv_text;
using io::ensure_dir;
using io::num;
using io::write_atomic;
using io::write_csv;

// Prints the JSON object on stdout (one line per key, indented).
void print_json(const nlohmann::json& j);

// Runs the plot script scripts/`script` of the source tree with python3 and the given arguments (each
// shell-quoted); its output goes to stderr, never into the JSON on stdout. A failed plot is a warning
// on stderr (naming `who`), not an error: the CSV it reads is already written. Returns success.
bool run_plot(const std::string& who, const std::string& script, const std::vector<std::string>& args);

}  // namespace gdmft::app
