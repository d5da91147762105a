#pragma once
// CSV tables whose columns mix numbers and strings (labels, methods, terminations): the writer with the
// same '# key: value' header as io/csv.hpp (values JSON-encoded) and its reader. Cells that hold a
// comma, a quote or a line break are quoted ("..." with "" for a quote).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

// A number as a cell: %.10g like write_csv; "nan", "inf", "-inf" when not finite.
std::string cell(double v);

struct TextTable {
    nlohmann::json header = nlohmann::json::object();
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> rows;  // each of names.size() cells
    // The index of column `name`, or -1.
    int column(const std::string& name) const;
};

// The file text: header lines, column names, rows. Throws std::logic_error for a row of the wrong width.
std::string text_csv(const nlohmann::json& meta, const std::vector<std::string>& names,
                     const std::vector<std::vector<std::string>>& rows);
// text_csv written with write_atomic.
void write_text_csv(const std::string& path, const nlohmann::json& meta, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::string>>& rows);
// Reads a file written by text_csv (or write_csv). Throws std::runtime_error if it cannot be read, has no
// column-name line, or has a row of the wrong width (a file cut short).
TextTable read_text_csv(const std::string& path);

}  // namespace gdmft::io
