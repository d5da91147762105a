// gdmft validate: the stationary DMFT against finite-N simulation over a set of points and sizes.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "io/latex_table.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "validation/comparison.hpp"
#include "validation/gradient_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

namespace gdmft::app {

namespace {

struct ValidateOptions {
    CommonOptions common;
    sim::ValidationSettings s;
    std::vector<std::string> points;
    bool custom = false, quick = false, no_plots = false, latex = false, gradient = false;
    int paths = 0;
    sim::GradientComparisonSettings grad;
};

std::string fmt(double v, int prec = 4) {
    if (!std::isfinite(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    return buf;
}

std::string markdown(const sim::ValidationResult& r, const sim::ValidationSettings& s) {
    std::ostringstream md;
    md << "# gdmft validate: DMFT against finite-N simulation\n\n";
    md << "Each cell: simulated mean ± standard error over " << s.realizations
       << " independent networks, and the relative difference from the DMFT. t_max = " << s.t_max
       << ", t_burn = " << s.t_burn << " at least, lengthened to " << s.corr_times
       << " DMFT correlation times (capped at " << s.t_cap << "), dt = " << s.dt << ", seed = " << s.seed << ".\n\n";
    for (const auto& pc : r.points) {
        md << "## " << pc.point.name << ": " << pc.point.description << "\n\n";
        md << "Simulated t = " << fmt(pc.t_max) << " after a burn-in of " << fmt(pc.t_burn) << ", lags up to "
           << fmt(pc.max_lag) << ". ";
        md << "DMFT method `" << pc.theory.method << "`, converged: " << (pc.theory.converged ? "yes" : "NO")
           << ", statistical error of C_h0: " << fmt(pc.theory.stat_err);
        if (pc.theory.tau.size() > 1)
            md << ", lag window " << fmt(pc.theory.tau.back()) << " at dt " << fmt(pc.theory.tau[1] - pc.theory.tau[0]);
        md << ". " << pc.theory.message << "\n\n";
        md << "| quantity | DMFT |";
        for (const auto& c : pc.curves) md << " N = " << c.N << " |";
        md << "\n|---|---|";
        for (std::size_t i = 0; i < pc.curves.size(); ++i) md << "---|";
        md << "\n";
        for (const char* q : {"C_h0", "C_phi0", "tau_corr", "mean_sigma_z", "gradient_growth", "grad_norm_Jh"}) {
            const bool any = std::any_of(r.rows.begin(), r.rows.end(),
                                         [&](const auto& row) { return row.point == pc.point.name && row.quantity == q; });
            if (!any) continue;  // gradient rows only with --gradient
            md << "| " << q << " |";
            bool first = true;
            for (const auto& row : r.rows) {
                if (row.point != pc.point.name || row.quantity != q) continue;
                if (first) md << " " << fmt(row.dmft) << " |";
                first = false;
                md << " " << fmt(row.sim.mean) << " ± " << fmt(row.sim.stderr_, 2) << " ("
                   << (row.rel_diff >= 0 ? "+" : "") << fmt(100 * row.rel_diff, 2) << "%) |";
            }
            md << "\n";
        }
        md << "\n";
    }
    return md.str();
}

// The table of markdown() for a paper: one row per point and quantity, the DMFT value and the simulated
// mean with its standard error as 0.745(4) for each N (booktabs).
std::string latex(const sim::ValidationResult& r, const sim::ValidationSettings& s) {
    io::LatexTable t;
    t.header = {"point", "quantity", "DMFT"};
    for (std::size_t N : s.sizes) t.header.push_back("$N = " + std::to_string(N) + "$");
    t.align = "ll" + std::string(t.header.size() - 2, 'r');
    t.caption = "DMFT against finite-$N$ simulation: simulated mean and its standard error over " +
                std::to_string(s.realizations) + " networks, in the last digits (seed " + std::to_string(s.seed) + ").";
    t.label = "tab:validation";
    for (const auto& pc : r.points) {
        t.rules_before.push_back(t.rows.size());
        for (const char* q : {"C_h0", "C_phi0", "tau_corr", "mean_sigma_z", "gradient_growth", "grad_norm_Jh"}) {
            std::vector<std::string> row = {io::latex_escape(pc.point.name), io::latex_escape(q), ""};
            for (std::size_t N : s.sizes) {
                std::string cell = "--";
                for (const auto& rw : r.rows)
                    if (rw.point == pc.point.name && rw.quantity == q && rw.N == N) {
                        row[2] = std::isfinite(rw.dmft) ? io::latex_number(io::format_uncertain(rw.dmft, 0.0, 5)) : "--";
                        if (std::isfinite(rw.sim.mean)) cell = io::latex_number(io::format_uncertain(rw.sim.mean, rw.sim.stderr_));
                    }
                row.push_back(cell);
            }
            if (row[2].empty()) row[2] = "--";
            t.rows.push_back(row);
        }
    }
    return io::latex_table(t);
}

void write_outputs(const sim::ValidationResult& r, const ValidateOptions& o, bool plots) {
    const std::string& dir = o.common.out_dir;
    auto meta = run_meta(o.common, {{"sizes", o.s.sizes}, {"realizations", o.s.realizations},
                                    {"t_max", o.s.t_max}, {"t_burn", o.s.t_burn}, {"dt", o.s.dt}});
    // The rows belong to the points: record each point's own parameters (the model flags only made
    // the custom point).
    meta.erase("params");
    meta["points"] = nlohmann::json::object();
    for (const auto& pc : r.points) meta["points"][pc.point.name] = model_json(pc.point.model);
    std::ostringstream csv;
    for (auto it = meta.begin(); it != meta.end(); ++it) csv << "# " << it.key() << ": " << it.value().dump() << "\n";
    csv << "point,quantity,N,realizations,dmft,sim_mean,sim_stderr,sim_sd,rel_diff,z_score\n";
    for (const auto& row : r.rows)
        csv << row.point << "," << row.quantity << "," << row.N << "," << row.realizations << "," << fmt(row.dmft, 10)
            << "," << fmt(row.sim.mean, 10) << "," << fmt(row.sim.stderr_, 10) << "," << fmt(row.sim.sd, 10) << ","
            << fmt(row.rel_diff, 10) << "," << fmt(row.z_score, 10) << "\n";
    write_atomic(dir + "/validation.csv", csv.str());
    write_atomic(dir + "/validation.md", markdown(r, o.s));
    if (o.latex) write_atomic(dir + "/validation.tex", latex(r, o.s));

    for (const auto& pc : r.points) {
        const std::string pdir = dir + "/" + pc.point.name;
        ensure_dir(pdir);
        std::vector<std::string> names = {"tau", "C_h_dmft"};
        std::vector<std::vector<double>> cols = {pc.tau, pc.C_h_dmft};
        for (const auto& c : pc.curves) {
            names.push_back("C_h_N" + std::to_string(c.N));
            cols.push_back(c.C_h);
            names.push_back("C_h_N" + std::to_string(c.N) + "_err");
            cols.push_back(c.C_h_err);
        }
        auto pmeta = meta;
        pmeta["params"] = model_json(pc.point.model);
        write_csv(pdir + "/correlations.csv", pmeta, names, cols);
        if (!plots) continue;
        run_plot("validate: " + pc.point.name, "plot_correlations.py",
                 {pdir + "/correlations.csv", pdir + "/C_h.png", pc.point.description});
    }
}

}  // namespace

Command add_validate(CLI::App& root) {
    auto o = std::make_shared<ValidateOptions>();
    CLI::App* cmd = root.add_subcommand("validate", "DMFT against finite-N simulation over points and sizes");
    add_model_options(*cmd, o->common);
    add_output_options(*cmd, o->common, true);
    cmd->add_option("--sizes", o->s.sizes, "network sizes")->delimiter(',')->capture_default_str();
    cmd->add_option("--realizations", o->s.realizations, "independent networks per size")->capture_default_str();
    cmd->add_option("--t-max", o->s.t_max, "simulated time")->capture_default_str();
    cmd->add_option("--t-burn", o->s.t_burn, "burn-in time")->capture_default_str();
    cmd->add_option("--dt", o->s.dt, "RK4 step")->capture_default_str();
    cmd->add_option("--corr-times", o->s.corr_times, "run length in DMFT correlation times (at least)")->capture_default_str();
    cmd->add_option("--t-cap", o->s.t_cap, "cap on the run length")->capture_default_str();
    cmd->add_flag("--float32", o->s.float32, "single-precision coupling storage");
    cmd->add_option("--paths", o->paths, "paths of the sampled DMFT (0: its default)");
    auto* ow = cmd->add_option("--dmft-window", o->s.dmft.grid.window,
                               "DMFT lag window (units of tau_h; 0 = automatic); default: per point");
    auto* od = cmd->add_option("--dmft-dt", o->s.dmft.grid.dt, "DMFT lag step (units of tau_h); default: per point");
    cmd->add_option("--points", o->points, "subset of the default points (names)")->delimiter(',');
    cmd->add_flag("--custom", o->custom, "validate the single point given by the model flags instead");
    cmd->add_flag("--quick", o->quick, "small preset: sizes 250,500,1000, 4 realizations, t_max 200");
    cmd->add_flag("--no-plots", o->no_plots, "skip the PNG plots");
    cmd->add_flag("--latex", o->latex, "also write validation.tex (booktabs; values as 0.745(4))");
    cmd->add_flag("--gradient", o->gradient,
                  "also compare the adjoint DMFT with exact finite-N backpropagation (rows gradient_growth, grad_norm_Jh)");
    cmd->add_option("--gradient-horizon", o->grad.horizon, "with --gradient: the window before the loss")
        ->capture_default_str();
    o->common.out_dir = "results/validation";

    return {cmd, [o, ow, od]() {
        o->s.observer = observer(o->common);
        resolve_model(o->common);
        if (o->quick) {
            o->s.sizes = {250, 500, 1000};
            o->s.realizations = 4;
            o->s.t_max = 200;
            o->s.t_burn = 50;
        }
        o->s.seed = o->common.seed;
        if (o->paths > 0) o->s.dmft.paths = o->paths;
        o->s.dmft_grid_given = ow->count() > 0 || od->count() > 0;
        if (!(o->s.dmft.grid.window >= 0)) throw BadInput("dmft-window", "must be >= 0 (0 = automatic)");
        if (!(o->s.dmft.grid.dt >= 0)) throw BadInput("dmft-dt", "must be >= 0 (0 = the method's default)");
        if (o->paths < 0) throw BadInput("paths", "must be >= 0");

        std::vector<sim::ValidationPoint> pts;
        if (o->custom) {
            pts.push_back({"custom", "custom point (model flags)", o->common.model});
        } else {
            const auto all = sim::default_validation_points();
            if (o->points.empty()) pts = all;
            for (const auto& name : o->points) {
                auto it = std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.name == name; });
                if (it == all.end()) {
                    std::string known;
                    for (const auto& p : all) known += (known.empty() ? "" : ", ") + p.name;
                    throw BadInput("points", "unknown point '" + name + "' (known: " + known + ")");
                }
                pts.push_back(*it);
            }
        }
        o->s.validate();
        if (o->gradient && !(o->grad.horizon > 0 && std::abs(o->grad.horizon / o->grad.dt - std::round(o->grad.horizon / o->grad.dt)) < 1e-9 * o->grad.horizon / o->grad.dt))
            throw BadInput("gradient-horizon", "must be a positive multiple of " + fmt(o->grad.dt));
        ensure_dir(o->common.out_dir);
        // Partial results are written after every point (atomically), so an interrupted run keeps them.
        auto result = sim::run_validation(pts, o->s, [&](const sim::ValidationResult& r) {
            write_outputs(r, *o, false);
        });
        if (o->gradient) {
            for (const auto& pc : result.points) {
                const std::string why = sim::compare_gradients(pc, o->s, o->grad, result.rows);
                if (!why.empty()) std::fprintf(stderr, "validate: no gradient rows at %s: %s\n", pc.point.name.c_str(), why.c_str());
                write_outputs(result, *o, false);
            }
        }
        write_outputs(result, *o, !o->no_plots);

        bool all_converged = true;
        for (const auto& pc : result.points) all_converged &= pc.theory.converged;
        if (o->common.json) {
            nlohmann::json j = run_meta(o->common, {{"sizes", o->s.sizes}, {"realizations", o->s.realizations}});
            j.erase("params");
            j["points"] = nlohmann::json::object();
            for (const auto& pc : result.points) j["points"][pc.point.name] = model_json(pc.point.model);
            j["out"] = o->common.out_dir;
            j["rows"] = nlohmann::json::array();
            for (const auto& row : result.rows)
                j["rows"].push_back({{"point", row.point}, {"quantity", row.quantity}, {"N", row.N},
                                     {"dmft", num(row.dmft)}, {"sim_mean", num(row.sim.mean)},
                                     {"sim_stderr", num(row.sim.stderr_)}, {"rel_diff", num(row.rel_diff)}});
            print_json(j);
        } else {
            std::fputs(markdown(result, o->s).c_str(), stdout);
        }
        return all_converged ? kExitOk : kExitNotConverged;
    }};
}

}  // namespace gdmft::app
