// Two-parameter sweeps from the command line (see the header).
#include "app/grid_sweep.hpp"

#include "io/mpi_queue.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"

#include <cstdio>

namespace gdmft::app {

void add_grid_sweep_options(CLI::App& cmd, GridSweepFlags& f, bool required) {
    auto* x = cmd.add_option("--x", f.x_text, "horizontal axis NAME:MIN:MAX:N (NAME a model parameter)");
    auto* y = cmd.add_option("--y", f.y_text, "vertical axis NAME:MIN:MAX:N");
    if (required) x->required(), y->required();
    cmd.add_flag("--resume", f.resume, "continue the sweep in --out (same parameters and version)");
    cmd.add_option("--shard", f.shard, "compute only points i % M == K (K/M; Slurm arrays); joins the sweep in --out");
    cmd.add_option("--threads", f.threads, "threads per process (0: OMP_NUM_THREADS, else cores / ranks per node)");
}

GridSweep run_grid_sweep(const CommonOptions& common, const GridSweepFlags& f, const std::string& command,
                         const std::string& table, const std::vector<std::string>& columns, const nlohmann::json& options,
                         const std::function<void(const ModelParams&)>& check_point, const GridPointFunction& point) {
    GridSweep g;
    g.x = parse_axis("x", f.x_text, true);
    g.y = parse_axis("y", f.y_text, true);
    require_distinct(g.x, g.y, "y");
    if (common.out_dir.empty()) throw BadInput("out", command + " over a grid needs --out DIR");
    if (f.threads < 0) throw BadInput("threads", "must be >= 0");
    const io::SweepShard shard = f.shard.empty() ? io::SweepShard{} : io::parse_shard(f.shard);
    if (shard.active() && f.resume) throw BadInput("shard", "a shard always joins the sweep in --out: drop --resume");
    const ParameterAxis &x = g.x, &y = g.y;
    // Every grid model must be valid: a bad range is bad input of its axis, before any work.
    for (int i = 0; i < x.points; ++i)
        for (int j = 0; j < y.points; ++j) {
            const ModelParams m = with_parameter(with_parameter(common.model, x.name, x.value(i)), y.name, y.value(j));
            try {
                m.validate();
                check_point(m);
            } catch (const BadInput& e) {
                throw BadInput(e.name == x.name ? "x" : e.name == y.name ? "y" : e.name,
                               "at " + x.name + " = " + io::cell(x.value(i)) + ", " + y.name + " = " +
                                   io::cell(y.value(j)) + ": " + e.name + " " + e.rule);
            }
        }

    io::SweepOptions so;
    so.dir = common.out_dir;
    so.table = table;
    so.columns = columns;
    so.manifest = {{"command", command}, {"version", run_info().version}, {"command_line", run_info().command_line},
                   {"x", x.to_string()}, {"y", y.to_string()}, {"params", model_json(common.model)},
                   {"seed", common.seed}, {"options", options}};
    so.meta = {{"command", command}, {"version", run_info().version}, {"command_line", run_info().command_line},
               {"x_name", x.name}, {"y_name", y.name}, {"x", x.to_string()}, {"y", y.to_string()},
               {"seed", common.seed}, {"params", model_json(common.model)}, {"settings", options}};
    so.resume = f.resume;
    so.shard = shard;
    so.base_seed = common.seed;
    so.threads = f.threads;
    so.observer = observer(common);

    const ModelParams base = common.model;
    const auto fn = [&](std::uint64_t idx, std::uint64_t seed) {
        const int i = static_cast<int>(idx % static_cast<std::uint64_t>(x.points));
        const int j = static_cast<int>(idx / static_cast<std::uint64_t>(x.points));
        const ModelParams m = with_parameter(with_parameter(base, x.name, x.value(i)), y.name, y.value(j));
        return point(m, x.value(i), y.value(j), seed);
    };
    g.total = x.points * y.points;
    g.summary = io::run_sweep(static_cast<std::uint64_t>(g.total), fn, so);
    return g;
}

nlohmann::json grid_sweep_json(const CommonOptions& common, const nlohmann::json& options, const GridSweep& g,
                               const std::map<std::string, int>& counts) {
    const io::SweepSummary& s = g.summary;
    nlohmann::json j = run_meta(common, options);
    j["x"] = g.x.to_string();
    j["y"] = g.y.to_string();
    j["out"] = common.out_dir;
    j["complete"] = s.complete;
    j["points"] = g.total;
    j["computed"] = s.computed;
    j["resumed"] = s.resumed;
    j["missing"] = s.missing;
    j["ranks"] = s.ranks;
    j["threads_per_rank"] = s.threads;
    j["seconds"] = s.seconds;
    j["counts"] = counts;
    return j;
}

void print_grid_sweep(const std::string& command, const std::string& table, const GridSweep& g,
                      const std::map<std::string, int>& counts, const std::string& dir) {
    const io::SweepSummary& s = g.summary;
    std::printf("%s: %d points (%llu computed, %llu resumed, %llu missing) in %.1f s on %d rank(s) x %d thread(s)\n",
                command.c_str(), g.total, static_cast<unsigned long long>(s.computed),
                static_cast<unsigned long long>(s.resumed), static_cast<unsigned long long>(s.missing), s.seconds,
                s.ranks, s.threads);
    for (const auto& [label, k] : counts) std::printf("  %-10s %d\n", label.c_str(), k);
    if (s.complete) std::printf("wrote %s/%s.csv\n", dir.c_str(), table.c_str());
    else std::printf("incomplete: run the other shards, then 'gdmft %s ... --resume' to merge\n", command.c_str());
}

int with_mpi_ranks(const std::function<int()>& body) {
    const io::Ranks ranks = io::mpi_start();
    try {
        return body();
    } catch (const BadInput&) {
        if (!ranks.root()) io::mpi_quiet_exit(kExitBadInput);
        throw;
    }
}

}  // namespace gdmft::app
