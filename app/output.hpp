#pragma once
// Writing results: atomic files (never a half-written CSV), CSV with a '#' header recording the run,
// and the JSON summary on stdout.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::app {

// Writes `content` to `path` via a temporary file in the same directory, fsync and rename.
void write_atomic(const std::string& path, const std::string& content);
// Creates `dir` (and parents); throws BadInput("out", ...) if impossible.
void ensure_dir(const std::string& dir);

// CSV with a header: one '# key: value' line per entry of `meta` (JSON-encoded values), then the
// column names, then rows. All columns must have the same length.
std::string csv_text(const nlohmann::json& meta, const std::vector<std::string>& names,
                     const std::vector<std::vector<double>>& columns);
void write_csv(const std::string& path, const nlohmann::json& meta, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns);

// A double as JSON: null when not finite.
nlohmann::json num(double v);
// Prints the JSON object on stdout (one line per key, indented).
void print_json(const nlohmann::json& j);

// Runs the plot script scripts/`script` of the source tree with python3 and the given arguments (each
// shell-quoted); its output goes to stderr, never into the JSON on stdout. A failed plot is a warning
// on the log (naming `who`), not an error: the CSV it reads is already written. Returns success.
bool run_plot(const std::string& who, const std::string& script, const std::vector<std::string>& args);

}  // namespace gdmft::app
