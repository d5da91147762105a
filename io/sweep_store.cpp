#include "io/sweep_store.hpp"

#include "io/csv.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace gdmft::io {

namespace {

std::string diff_at(const std::string& path, const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string key = path.empty() ? it.key() : path + "." + it.key();
            if (!b.contains(it.key())) return key + ": " + it.value().dump() + " in sweep.json, absent in this run";
            const std::string d = diff_at(key, it.value(), b.at(it.key()));
            if (!d.empty()) return d;
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key()))
                return (path.empty() ? it.key() : path + "." + it.key()) + ": absent in sweep.json, " +
                       it.value().dump() + " in this run";
        return "";
    }
    if (a != b) return (path.empty() ? "manifest" : path) + ": " + a.dump() + " in sweep.json, " + b.dump() + " in this run";
    return "";
}

void remove_temporaries(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos) fs::remove(e.path(), ec);
    }
}

}  // namespace

std::string first_difference(const nlohmann::json& stored, const nlohmann::json& now) {
    return diff_at("", stored, now);
}

nlohmann::json open_sweep_dir(const std::string& dir, const nlohmann::json& manifest, bool resume, bool join,
                    const std::string& flag) {
    const fs::path mpath = fs::path(dir) / "sweep.json";
    std::error_code ec;
    if (!fs::exists(mpath, ec)) {
        if (resume)
            throw BadInput("resume", "'" + dir + "' holds no sweep (no sweep.json): nothing to resume; drop --resume to start one");
        ensure_dir(dir);
        ensure_dir((fs::path(dir) / "shards").string());
        write_atomic(mpath.string(), manifest.dump(2) + "\n");
        return manifest;
    }
    if (!resume && !join)
        throw BadInput("out", "'" + dir + "' already holds a sweep (sweep.json); add --resume to continue it, "
                              "or choose another --out directory (or delete this one) to start afresh");
    nlohmann::json stored;
    try {
        std::ifstream in(mpath);
        stored = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw BadInput(flag, "cannot read '" + mpath.string() + "': " + e.what() + "; nothing was overwritten");
    }
    nlohmann::json a = stored, b = manifest;
    a.erase("command_line");
    b.erase("command_line");
    const std::string d = first_difference(a, b);
    if (!d.empty())
        throw BadInput(flag, "'" + dir + "' holds a different sweep: " + d + "; nothing was overwritten");
    ensure_dir((fs::path(dir) / "shards").string());
    remove_temporaries(fs::path(dir) / "shards");
    remove_temporaries(dir);
    return stored;
}

Finished load_finished(const std::string& dir, const std::vector<std::string>& columns, std::uint64_t n_points) {
    Finished f;
    const fs::path sdir = fs::path(dir) / "shards";
    std::error_code ec;
    if (!fs::is_directory(sdir, ec)) return f;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(sdir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("part-", 0) == 0 && e.path().extension() == ".csv") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> want = {"index"};
    want.insert(want.end(), columns.begin(), columns.end());
    for (const auto& p : files) {
        TextTable t;
        try {
            t = read_text_csv(p.string());
        } catch (const std::exception&) {
            ++f.unreadable_files;
            continue;
        }
        if (t.names != want) {
            ++f.unreadable_files;
            continue;
        }
        for (auto& row : t.rows) {
            char* end = nullptr;
            const unsigned long long idx = std::strtoull(row[0].c_str(), &end, 10);
            if (end == row[0].c_str() || *end != '\0' || idx >= n_points) continue;
            if (f.rows.count(idx)) continue;
            f.rows.emplace(idx, std::vector<std::string>(row.begin() + 1, row.end()));
        }
    }
    return f;
}

std::string new_shard_path(const std::string& dir, const std::string& tag) {
    const fs::path sdir = fs::path(dir) / "shards";
    for (int k = 0;; ++k) {
        const fs::path p = sdir / ("part-" + tag + "-" + std::to_string(k) + ".csv");
        std::error_code ec;
        if (!fs::exists(p, ec)) return p.string();
    }
}

ShardWriter::ShardWriter(std::string path, nlohmann::json meta, std::vector<std::string> columns, double interval)
    : path_(std::move(path)), meta_(std::move(meta)), interval_(interval), last_(std::chrono::steady_clock::now()) {
    names_ = {"index"};
    names_.insert(names_.end(), columns.begin(), columns.end());
}

void ShardWriter::add(std::uint64_t index, std::vector<std::string> cells) {
    cells.insert(cells.begin(), std::to_string(index));
    rows_.push_back(std::move(cells));
    dirty_ = true;
}

void ShardWriter::flush_if_due() {
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count();
    if (dirty_ && since >= interval_) flush();
}

void ShardWriter::flush() {
    if (!dirty_) return;
    write_text_csv(path_, meta_, names_, rows_);
    dirty_ = false;
    last_ = std::chrono::steady_clock::now();
}

}  // namespace gdmft::io
