#pragma once
// The sweep engine: N independent points computed by a user function, spread over the OpenMP threads
// of one process and, under mpirun, over MPI ranks by a dynamic work queue (io/mpi_queue.hpp). Each
// point gets a seed derived from the base seed and its index (never from a rank or thread), and a point
// is computed on one thread (OpenMP regions inside it run single-threaded), so the merged table is the
// same, byte for byte, whatever the number of threads, ranks or shards, and after any --resume.
//
// Files (io/sweep_store.hpp): DIR/sweep.json first; each process's finished rows in its shard file,
// rewritten atomically at most every flush_interval seconds and at the end; rank 0 merges every shard
// into DIR/<table>.csv (atomically) once all points are finished. Only rank 0 reports progress.
#include "numerics/progress.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gdmft::io {

// A Slurm-array style slice: this process computes only the points with index % count == index_.
struct SweepShard {
    int index = 0, count = 1;
    bool active() const { return count > 1; }
};
// Parses "K/M" (0 <= K < M); throws BadInput(flag, rule).
SweepShard parse_shard(const std::string& text, const std::string& flag = "shard");

// The seed of point `index` (a SplitMix64 mix of both): the same for a point whoever computes it.
std::uint64_t point_seed(std::uint64_t base_seed, std::uint64_t index);

// Computes the cells of point `index` (one per column, in SweepOptions::columns order). Called
// concurrently from several threads: it must not share mutable state. It should turn numerical
// failures into cells (a label such as "unresolved"); an exception stops the sweep.
using PointFunction = std::function<std::vector<std::string>(std::uint64_t index, std::uint64_t seed)>;

struct SweepOptions {
    std::string dir;                    // output directory
    std::string table = "sweep";        // merged table DIR/<table>.csv
    std::vector<std::string> columns;   // the cells of a point
    nlohmann::json manifest;            // DIR/sweep.json: what makes two runs the same sweep
    nlohmann::json meta;                // '# key: value' header of the merged table (its "command_line",
                                        // if any, becomes the one in sweep.json: the sweep's first)
    bool resume = false;                // continue the sweep in dir (equal manifest required)
    SweepShard shard;                   // compute one slice only (joins the sweep in dir)
    std::uint64_t base_seed = 1;
    int threads = 0;                    // per process; 0 = OMP_NUM_THREADS if set, else cores / ranks per node
    double flush_interval = 1.0;        // seconds between shard rewrites
    const Observer* observer = nullptr; // progress (rank 0 only); nullptr = silent
};

struct SweepSummary {
    bool root = true;            // false on MPI ranks > 0, which hold no rows
    bool complete = false;       // every point finished and DIR/<table>.csv written
    std::uint64_t total = 0;     // points in the sweep
    std::uint64_t resumed = 0;   // finished before this run (loaded from shards)
    std::uint64_t computed = 0;  // finished by this run (all ranks; root only)
    std::uint64_t missing = 0;   // not finished yet (another shard's, or failed)
    int ranks = 1, threads = 1;
    double seconds = 0;
    std::string table_path;      // DIR/<table>.csv when complete
    // Root: every finished point in index order (indices and cells).
    std::vector<std::uint64_t> indices;
    std::vector<std::vector<std::string>> rows;
};

// Runs the sweep. Bad input (an existing sweep without resume, a different manifest, a bad shard)
// throws BadInput on rank 0 and ends the other ranks quietly with exit code 2.
SweepSummary run_sweep(std::uint64_t n_points, const PointFunction& fn, const SweepOptions& o);

}  // namespace gdmft::io
