#pragma once
// The command-line side of a two-parameter sweep (io/sweep.hpp), shared by `phase` and `gradient --x --y`:
// the --x/--y/--resume/--shard/--threads flags, the axes and their validation, the manifest and header,
// and MPI start-up (every rank checks the input; only rank 0 reports bad input).
#include "app/cli.hpp"
#include "dmft/parameter_axis.hpp"
#include "io/sweep.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gdmft::app {

struct GridSweepFlags {
    std::string x_text, y_text, shard;
    int threads = 0;
    bool resume = false;
};

// Adds --x, --y (required when `required`), --resume, --shard, --threads.
void add_grid_sweep_options(CLI::App& cmd, GridSweepFlags& f, bool required);

struct GridSweep {
    ParameterAxis x, y;
    int total = 0;
    io::SweepSummary summary;
};

// The cells of one grid point: model m at (x, y) with its own seed.
using GridPointFunction =
    std::function<std::vector<std::string>(const ModelParams& m, double x, double y, std::uint64_t seed)>;

// Parses and checks the axes (bad input names x or y, with the grid point), checks every grid model with
// `check_point` (throws BadInput naming the model key; it is re-thrown naming the axis), then runs the
// sweep into common.out_dir/<table>.csv. `options` (the settings that make two runs the same sweep) go into
// the manifest and the table's header.
GridSweep run_grid_sweep(const CommonOptions& common, const GridSweepFlags& f, const std::string& command,
                         const std::string& table, const std::vector<std::string>& columns, const nlohmann::json& options,
                         const std::function<void(const ModelParams&)>& check_point, const GridPointFunction& point);

// The report of a finished (or partial) sweep: run metadata with the axes, the point counts, ranks, threads,
// seconds and `counts` (rows per label); `print_grid_sweep` writes the same for people ("NAME: ..." lines,
// and how to merge an incomplete sweep).
nlohmann::json grid_sweep_json(const CommonOptions& common, const nlohmann::json& options, const GridSweep& g,
                               const std::map<std::string, int>& counts);
void print_grid_sweep(const std::string& command, const std::string& table, const GridSweep& g,
                      const std::map<std::string, int>& counts, const std::string& dir);

// Runs `body` under MPI start-up: a BadInput on a rank other than 0 ends it quietly with exit code 2.
int with_mpi_ranks(const std::function<int()>& body);

}  // namespace gdmft::app
