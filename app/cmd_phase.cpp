// gdmft phase: a two-parameter phase diagram, one classified point per grid node (dmft/phase_point.hpp),
// computed by the sweep engine (io/sweep.hpp): OpenMP threads, MPI ranks under mpirun, --resume and
// --shard K/M. Writes DIR/phase.csv, DIR/phase.png and, with --latex, a summary table.
#include "app/commands.hpp"
#include "app/grid_sweep.hpp"
#include "app/output.hpp"
#include "dmft/parameter_axis.hpp"
#include "dmft/phase_point.hpp"
#include "dmft/solve.hpp"
#include "io/latex_table.hpp"
#include "io/mpi_queue.hpp"
#include "io/sweep.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

namespace gdmft::app {

namespace {

struct PhaseOptions {
    CommonOptions common;
    GridSweepFlags grid;
    std::string method = "auto";
    int paths = 0;
    bool latex = false, no_plot = false;
};

const std::vector<std::string> kColumns = {"x", "y", "phase", "C_h0", "lambda_max", "G", "Delta_h_fp", "method", "termination"};

// Counts per label over the finished rows.
std::map<std::string, int> label_counts(const std::vector<std::vector<std::string>>& rows) {
    std::map<std::string, int> n;
    for (PhaseLabel l : kPhaseLabels) n[to_string(l)] = 0;
    for (const auto& r : rows) ++n[r[2]];
    return n;
}

std::string summary_markdown(const std::map<std::string, int>& n, int total, const ParameterAxis& x,
                             const ParameterAxis& y) {
    std::ostringstream md;
    md << "# gdmft phase: " << x.name << " x " << y.name << "\n\n";
    md << "Grid " << x.to_string() << " by " << y.to_string() << " (" << total << " points).\n\n";
    md << "| phase | points | fraction |\n|---|---|---|\n";
    char buf[32];
    for (PhaseLabel l : kPhaseLabels) {
        const int k = n.at(to_string(l));
        std::snprintf(buf, sizeof buf, "%.3f", total > 0 ? double(k) / total : 0.0);
        md << "| " << to_string(l) << " | " << k << " | " << buf << " |\n";
    }
    return md.str();
}

std::string summary_latex(const std::map<std::string, int>& n, int total, const ParameterAxis& x,
                          const ParameterAxis& y) {
    io::LatexTable t;
    t.header = {"phase", "points", "fraction"};
    t.caption = "Phase diagram over " + io::latex_escape(x.name) + " in [" + io::cell(x.min) + ", " + io::cell(x.max) +
                "] (" + std::to_string(x.points) + " points) and " + io::latex_escape(y.name) + " in [" +
                io::cell(y.min) + ", " + io::cell(y.max) + "] (" + std::to_string(y.points) + " points): points per label.";
    t.label = "tab:phase";
    char buf[32];
    for (PhaseLabel l : kPhaseLabels) {
        const int k = n.at(to_string(l));
        std::snprintf(buf, sizeof buf, "%.3f", total > 0 ? double(k) / total : 0.0);
        t.rows.push_back({to_string(l), io::latex_number(std::to_string(k)), io::latex_number(buf)});
    }
    return io::latex_table(t);
}

// Parses the axes, runs the sweep and writes the outputs (rank 0); returns the exit code.
int run_phase(PhaseOptions* o) {
    resolve_model(o->common);
    if (o->paths < 0) throw BadInput("paths", "must be >= 0");
    PhasePointOptions po;
    po.stationary.method = o->method == "auto" ? Method::Auto : parse_method(o->method, "method");
    if (o->paths > 0) po.stationary.paths = o->paths;
    po.validate();
    nlohmann::json options = {{"method", o->method}, {"paths", po.stationary.paths}, {"tol", po.stationary.tol},
                              {"max_iterations", po.stationary.max_iterations},
                              {"random_sets", po.stationary.random_sets}, {"fixed_point_scan", po.fixed_point_scan},
                              {"decay_tol", po.decay_tol}};
    const auto check = [&](const ModelParams& m) { resolve_method(m, po.stationary.method, "method"); };
    const auto point = [&](const ModelParams& m, double xv, double yv, std::uint64_t seed) {
        PhasePointOptions p = po;
        p.stationary.seed = seed;
        const PhasePoint r = classify_phase_point(m, p);
        return std::vector<std::string>{io::cell(xv), io::cell(yv), to_string(r.label),
                                        io::cell(r.C_h0), io::cell(r.lambda_max), io::cell(r.G),
                                        io::cell(r.stable_fixed_point_Delta_h), r.method, r.termination};
    };
    const GridSweep g = run_grid_sweep(o->common, o->grid, "phase", "phase", kColumns, options, check, point);
    const ParameterAxis &x = g.x, &y = g.y;
    const int total = g.total;
    const io::SweepSummary& s = g.summary;
    if (!s.root) return kExitOk;  // rank 0 reports

    const std::string dir = o->common.out_dir;
    const auto counts = label_counts(s.rows);
    if (s.complete) {
        write_atomic(dir + "/phase_summary.md", summary_markdown(counts, total, x, y));
        if (o->latex) write_atomic(dir + "/phase_summary.tex", summary_latex(counts, total, x, y));
        if (!o->no_plot) {
            std::vector<std::string> args = {dir + "/phase.csv", dir + "/phase.png"};
            if (std::filesystem::exists(dir + "/boundary.csv")) args.push_back(dir + "/boundary.csv");
            run_plot("phase", "plot_phase.py", args);
        }
    }
    const nlohmann::json j = grid_sweep_json(o->common, options, g, counts);
    if (o->common.json) print_json(j);
    else print_grid_sweep("phase", "phase", g, counts, dir);
    return kExitOk;
}

}  // namespace

Command add_phase(CLI::App& root) {
    auto o = std::make_shared<PhaseOptions>();
    CLI::App* cmd = root.add_subcommand("phase", "phase diagram over two model parameters (MPI-aware sweep)");
    add_model_options(*cmd, o->common);
    add_output_options(*cmd, o->common, true);
    add_grid_sweep_options(*cmd, o->grid, true);
    cmd->add_option("--method", o->method, "stationary method: auto, gaussian or sampled")->capture_default_str();
    cmd->add_option("--paths", o->paths, "paths of the sampled method (0: its default)");
    cmd->add_flag("--latex", o->latex, "also write phase_summary.tex (booktabs) next to phase_summary.md");
    cmd->add_flag("--no-plot", o->no_plot, "skip phase.png");

    return {cmd, [o]() { return with_mpi_ranks([&] { return run_phase(o.get()); }); }};
}

}  // namespace gdmft::app
