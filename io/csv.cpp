#include "io/csv.hpp"

#include "numerics/errors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gdmft::io {

void ensure_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) throw BadInput("out", "cannot create directory '" + dir + "'");
}

void write_atomic(const std::string& path, const std::string& content) {
    const std::filesystem::path p(path);
    const std::string tmp = (p.parent_path() / ("." + p.filename().string() + ".tmp." + std::to_string(getpid()))).string();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp);
    std::size_t off = 0;
    while (off < content.size()) {
        const ssize_t w = ::write(fd, content.data() + off, content.size() - off);
        if (w <= 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("write failed: " + tmp);
        }
        off += static_cast<std::size_t>(w);
    }
    ::fsync(fd);
    ::close(fd);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot rename " + tmp + " to " + path);
    }
}

std::string csv_text(const nlohmann::json& meta, const std::vector<std::string>& names,
                     const std::vector<std::vector<double>>& columns) {
    std::ostringstream os;
    for (auto it = meta.begin(); it != meta.end(); ++it) os << "# " << it.key() << ": " << it.value().dump() << "\n";
    for (std::size_t c = 0; c < names.size(); ++c) os << (c ? "," : "") << names[c];
    os << "\n";
    const std::size_t rows = columns.empty() ? 0 : columns[0].size();
    for (const auto& col : columns)
        if (col.size() != rows) throw std::logic_error("csv_text: columns of unequal length");
    char buf[40];
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            std::snprintf(buf, sizeof buf, "%.10g", columns[c][r]);
            os << (c ? "," : "") << buf;
        }
        os << "\n";
    }
    return os.str();
}

void write_csv(const std::string& path, const nlohmann::json& meta, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns) {
    write_atomic(path, csv_text(meta, names, columns));
}

const std::vector<double>* CsvTable::column(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? nullptr : &columns[static_cast<std::size_t>(it - names.begin())];
}

bool read_header_line(const std::string& line, nlohmann::json& header) {
    if (line.empty() || line[0] != '#') return false;
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon < 2) return true;
    const std::string key = line.substr(2, colon - 2);
    try {
        header[key] = nlohmann::json::parse(line.substr(colon + 1));
    } catch (const nlohmann::json::exception&) {
        header[key] = line.substr(colon + 1);
    }
    return true;
}

CsvTable read_csv(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read '" + path + "'");
    CsvTable t;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (read_header_line(line, t.header)) continue;
        std::stringstream ss(line);
        std::string cell;
        if (t.names.empty()) {
            while (std::getline(ss, cell, ',')) t.names.push_back(cell);
            t.columns.resize(t.names.size());
            continue;
        }
        std::size_t c = 0;
        while (std::getline(ss, cell, ',') && c < t.columns.size()) t.columns[c++].push_back(std::strtod(cell.c_str(), nullptr));
        for (; c < t.columns.size(); ++c) t.columns[c].push_back(std::numeric_limits<double>::quiet_NaN());
    }
    if (t.names.empty()) throw std::runtime_error("'" + path + "' has no column names");
    return t;
}

}  // namespace gdmft::io
