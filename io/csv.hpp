#pragma once
// Files of results: atomic writes (a reader never sees a half-written file), CSV with a '#' header of
// JSON-encoded metadata (the run's parameters, seed, version, command line), and the reader of the same
// format, so that one run's output is the next run's input.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

// Writes `content` to `path` via a temporary file in the same directory, fsync and rename.
void write_atomic(const std::string& path, const std::string& content);
// Creates `dir` (and parents); throws BadInput("out", ...) if impossible.
void ensure_dir(const std::string& dir);

// CSV: one '# key: value' line per entry of `meta` (values JSON-encoded), the column names, the rows
// (%.10g). All columns must have the same length.
std::string csv_text(const nlohmann::json& meta, const std::vector<std::string>& names,
                     const std::vector<std::vector<double>>& columns);
void write_csv(const std::string& path, const nlohmann::json& meta, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns);

// A CSV file as written by write_csv: the header lines as a JSON object, the column names, the columns.
struct CsvTable {
    nlohmann::json header = nlohmann::json::object();
    std::vector<std::string> names;
    std::vector<std::vector<double>> columns;
    // The column called `name`, or nullptr.
    const std::vector<double>* column(const std::string& name) const;
};
// Throws std::runtime_error if the file cannot be read or has no column-name line.
CsvTable read_csv(const std::string& path);

// One line of a '#' header: true if `line` starts with '#'; then a '# key: value' entry goes into
// `header` (the value parsed as JSON where it parses, else kept as text). Shared by the CSV readers.
bool read_header_line(const std::string& line, nlohmann::json& header);

}  // namespace gdmft::io
