#include "app/output.hpp"

#include "numerics/errors.hpp"
#include "numerics/progress.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace gdmft::app {

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

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

namespace {
std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
}
}  // namespace

bool run_plot(const std::string& who, const std::string& script, const std::vector<std::string>& args) {
    const std::string path = std::string(GDMFT_SOURCE_DIR) + "/scripts/" + script;
    std::string cmd = "/usr/bin/python3 " + shell_quote(path);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " 1>&2";
    if (std::system(cmd.c_str()) == 0) return true;
    log_line(who + ": warning: the plot failed (" + path + ")");
    return false;
}

}  // namespace gdmft::app
