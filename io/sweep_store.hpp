#pragma once
// The files of a sweep in its directory DIR:
//   DIR/sweep.json     the manifest (command, axes, model, options, version), written before any point;
//   DIR/shards/*.csv   finished points, one file per process and run ("index" then the sweep's columns),
//                      each rewritten whole with write_atomic, so a killed run leaves only whole files;
//   DIR/<name>.csv     the merged table, written (atomically) once every point is finished.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gdmft::io {

// The first difference between two manifests as "key.path: A in sweep.json, B in this run" (or a key
// present in one only); empty when they are equal.
std::string first_difference(const nlohmann::json& stored, const nlohmann::json& now);

// Prepares DIR for a sweep with `manifest`. Without a sweep in DIR: writes the manifest (resume then is
// bad input: nothing to resume). With one: `resume` or `join` (a shard of a sharded run) needs an equal
// manifest, else BadInput(flag, first difference; nothing overwritten); neither is BadInput("out", how to
// proceed). `flag` is the option that asked to continue ("resume" or "shard"). The manifest's
// "command_line" is recorded but not compared (a resumed run is typed differently). Removes temporary
// files that a killed run left. Returns the manifest in effect (the stored one when continuing).
// Throws BadInput.
nlohmann::json open_sweep_dir(const std::string& dir, const nlohmann::json& manifest, bool resume, bool join,
                    const std::string& flag);

// Every finished point in DIR/shards: index -> cells (the first row wins where shards overlap; rows with
// an index >= n_points or the wrong columns are ignored, as are unreadable files, with a count).
struct Finished {
    std::map<std::uint64_t, std::vector<std::string>> rows;
    int unreadable_files = 0;
};
Finished load_finished(const std::string& dir, const std::vector<std::string>& columns, std::uint64_t n_points);

// A shard path not used yet: DIR/shards/part-<tag>-<k>.csv with the smallest free k.
std::string new_shard_path(const std::string& dir, const std::string& tag);

// One process's finished points, rewritten whole to its shard file at most every `interval` seconds
// and on flush(). Not thread-safe: the caller serialises.
class ShardWriter {
public:
    ShardWriter(std::string path, nlohmann::json meta, std::vector<std::string> columns, double interval_seconds);
    void add(std::uint64_t index, std::vector<std::string> cells);
    void flush_if_due();
    void flush();
    std::size_t size() const { return rows_.size(); }

private:
    std::string path_;
    nlohmann::json meta_;
    std::vector<std::string> names_;
    std::vector<std::vector<std::string>> rows_;
    double interval_;
    std::chrono::steady_clock::time_point last_;
    bool dirty_ = false;
};

}  // namespace gdmft::io
