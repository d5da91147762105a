#include "io/text_csv.hpp"

#include "io/csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gdmft::io {

namespace {

std::string quoted(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// Splits one CSV record (no embedded line breaks are written by text_csv for our data; a quoted cell
// with a comma or quote is handled).
std::vector<std::string> split_record(const std::string& line) {
    std::vector<std::string> cells;
    std::string cur;
    bool in_quotes = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                cur += c;
            }
        } else if (c == '"') {
            in_quotes = true;
        } else if (c == ',') {
            cells.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    cells.push_back(cur);
    return cells;
}

}  // namespace

std::string cell(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

int TextTable::column(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

std::string text_csv(const nlohmann::json& meta, const std::vector<std::string>& names,
                     const std::vector<std::vector<std::string>>& rows) {
    std::ostringstream os;
    for (auto it = meta.begin(); it != meta.end(); ++it) os << "# " << it.key() << ": " << it.value().dump() << "\n";
    for (std::size_t c = 0; c < names.size(); ++c) os << (c ? "," : "") << quoted(names[c]);
    os << "\n";
    for (const auto& row : rows) {
        if (row.size() != names.size()) throw std::logic_error("text_csv: a row of the wrong width");
        for (std::size_t c = 0; c < row.size(); ++c) os << (c ? "," : "") << quoted(row[c]);
        os << "\n";
    }
    return os.str();
}

void write_text_csv(const std::string& path, const nlohmann::json& meta, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::string>>& rows) {
    write_atomic(path, text_csv(meta, names, rows));
}

TextTable read_text_csv(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read '" + path + "'");
    TextTable t;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (read_header_line(line, t.header)) continue;
        auto cells = split_record(line);
        if (t.names.empty()) {
            t.names = std::move(cells);
            continue;
        }
        if (cells.size() != t.names.size())
            throw std::runtime_error("'" + path + "': a row of " + std::to_string(cells.size()) + " cells, expected " +
                                     std::to_string(t.names.size()));
        t.rows.push_back(std::move(cells));
    }
    if (t.names.empty()) throw std::runtime_error("'" + path + "' has no column names");
    return t;
}

}  // namespace gdmft::io
