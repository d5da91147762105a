#pragma once
// Shared command-line conventions: the model flags of INTERFACE.md, --config FILE (TOML), --json,
// --out, --seed, --quiet, and the run metadata every output records.
#include "dmft/model.hpp"
#include "numerics/progress.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace gdmft::app {

// Options common to subcommands. Model values are resolved by resolve_model() after parsing.
struct CommonOptions {
    ModelParams model;        // filled from flags (defaults as in INTERFACE.md)
    std::string phi = "tanh";
    std::string config;       // consumed before parsing (see main.cpp); kept for the record
    bool json = false;
    bool quiet = false;
    std::string out_dir;      // empty: no files
    std::uint64_t seed = 1;
};

// Adds the model flags (--g-h ... --phi) to `cmd`, bound to `opts.model`.
void add_model_options(CLI::App& cmd, CommonOptions& opts);
// Adds --json, --quiet, --out DIR, --config FILE; with_seed adds --seed S.
void add_output_options(CLI::App& cmd, CommonOptions& opts, bool with_seed);
// Parses phi, validates the model (throws BadInput naming the flag's key).
void resolve_model(CommonOptions& opts);
// Where the solvers' progress goes: stderr, or nowhere with --quiet.
const Observer* observer(const CommonOptions& opts);

// Metadata recorded in every output: parameters, seed, version, command line.
struct RunInfo {
    std::string command;      // subcommand name
    std::string command_line; // the whole command line as typed
    std::string version;
};
const RunInfo& run_info();
void set_run_info(RunInfo info);

// Model parameters as a JSON object (phi as a string).
nlohmann::json model_json(const ModelParams& m);
// {"version", "command_line", "seed", "params": {...}} plus `extra` run settings.
nlohmann::json run_meta(const CommonOptions& opts, const nlohmann::json& extra = nlohmann::json::object());

// A registered subcommand: `run` is called after a successful parse and returns the exit code.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// Exit codes of INTERFACE.md.
inline constexpr int kExitOk = 0, kExitBadInput = 2, kExitNotConverged = 3;

}  // namespace gdmft::app
