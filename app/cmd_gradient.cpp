// gdmft gradient: the adjoint (gradient) field theory of THEORY.md 7 (dmft/adjoint.hpp) on the window of
// length --horizon before the loss, in the chaotic state or at a stable fixed point.
#include "app/commands.hpp"
#include "app/grid_sweep.hpp"
#include "app/output.hpp"
#include "dmft/adjoint.hpp"
#include "dmft/adjoint_sampled.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/phase_point.hpp"
#include "dmft/solve.hpp"
#include "validation/backprop.hpp"
#include "io/gradient_io.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <memory>

namespace gdmft::app {

namespace {

struct GradientCli {
    CommonOptions common;
    AdjointOptions adj;
    AdjointSampledOptions sampled;
    std::string method = "auto";
    GridSweepFlags grid;
    bool simulate = false;
    sim::BackpropOptions bp = [] {
        sim::BackpropOptions o;
        o.networks = 4;  // error bars over networks
        return o;
    }();
    std::string state = "auto";
    bool no_plot = false;
};

// The attractor whose adjoint is solved.
struct Target {
    bool chaotic = false;
    bool found = false;
    StationaryResult stationary;          // when chaotic
    FixedPointBranch fixed;               // when not chaotic
    std::string why;
};

// The adjoint's chaotic state: a converged stationary solution with a decaying C_h (dmft/phase_point).
bool chaotic(const StationaryResult& s) { return s.converged && decaying_solution(s); }

// The chaotic state when `state` allows it and the stationary DMFT has one, else the stable fixed point
// with the smallest Delta_h (state "auto", "chaotic" or "fixed-point").
Target choose_target(const ModelParams& p, const std::string& state, std::uint64_t seed, const Observer* obs,
                     bool lyapunov, double stationary_dt = 0) {
    Target t;
    if (state != "fixed-point") {
        StationaryOptions so;
        so.observer = obs;
        so.seed = seed;
        so.lyapunov = lyapunov;
        so.grid.dt = stationary_dt;
        t.stationary = solve_stationary(p, so);
        if (chaotic(t.stationary)) {
            t.chaotic = t.found = true;
            return t;
        }
        if (state == "chaotic") {
            t.why = "no chaotic stationary state at this point (" + t.stationary.message + ")";
            return t;
        }
    }
    const std::vector<FixedPointBranch> branches = fixed_points(p);
    const FixedPointBranch* b = smallest_stable_branch(branches);
    t.found = b != nullptr;
    if (b) t.fixed = *b;
    if (!t.found) t.why = state == "fixed-point" ? "no stable fixed point at this point"
                                                 : "neither a chaotic state nor a stable fixed point at this point";
    return t;
}

// One point of a gradient map: the attractor's growth rate and its regime over the horizon T: exploding
// (growth T > 1), vanishing (growth T < -1), marginal (|growth| T <= 1: |a_h|^2 changes by less than a
// factor e over T, apart from the transient near the horizon); with a coexisting stable fixed point (bistable)
// its growth rate too. Numerical failures become the regime "unresolved" with the reason.
const std::vector<std::string> kMapColumns = {"x", "y", "regime", "state", "growth_rate", "growth_rate_err",
                                              "efold_horizon", "grad_norm_Jh", "growth_rate_fixed_point", "message"};

std::vector<std::string> map_point(const ModelParams& p, double xv, double yv, std::uint64_t seed,
                                   const AdjointOptions& adj) {
    auto row = [&](const std::string& regime, const std::string& state, double g, double ge, double norm, double gfp,
                   const std::string& msg) {
        return std::vector<std::string>{io::cell(xv), io::cell(yv), regime, state, io::cell(g), io::cell(ge),
                                        io::cell(1 / std::abs(g)), io::cell(norm), io::cell(gfp), msg};
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    try {
        Target t = choose_target(p, "auto", seed, nullptr, false);
        if (!t.found) return row("unresolved", "none", nan, nan, nan, nan, t.why);
        const AdjointResult r = t.chaotic ? adjoint_closure(p, t.stationary, adj)
                                          : adjoint_fixed_point(p, t.fixed.Delta_h, t.fixed.Delta_r, adj);
        if (!r.finite) return row("unresolved", r.state, nan, nan, nan, nan, "the adjoint overflowed");
        double gfp = nan;
        if (t.chaotic) {
            const auto b = fixed_points(p);
            if (const FixedPointBranch* f = smallest_stable_branch(b))
                gfp = adjoint_fixed_point(p, f->Delta_h, f->Delta_r, adj).growth_rate;
        }
        const double gT = r.growth_rate * adj.horizon;
        const std::string regime = gT > 1 ? "exploding" : gT < -1 ? "vanishing" : "marginal";
        return row(regime, r.state, r.growth_rate, r.growth_rate_err, r.grad_norm_Jh.back(), gfp, "");
    } catch (const BadInput&) {
        throw;
    } catch (const std::exception& e) {
        return row("unresolved", "none", nan, nan, nan, nan, e.what());
    }
}

int run_map(GradientCli* cli) {
    nlohmann::json options = {{"horizon", cli->adj.horizon}, {"dt", cli->adj.dt}, {"fit_from", cli->adj.fit_from},
                              {"profile_spacing", cli->adj.profile_spacing}};
    AdjointOptions adj = cli->adj;
    adj.reference = false;  // a map needs the growth rates only
    const auto check = [](const ModelParams& m) {
        if (m.alpha_z != 0)
            throw BadInput("alpha_z", "a gradient map needs alpha_z = 0: with a fluctuating clock each chaotic point "
                                      "needs a sampled stationary solve (minutes); run single points with --method sampled");
    };
    const auto point = [&](const ModelParams& m, double xv, double yv, std::uint64_t seed) {
        return map_point(m, xv, yv, seed, adj);
    };
    const GridSweep g = run_grid_sweep(cli->common, cli->grid, "gradient", "gradient_map", kMapColumns, options, check, point);
    const io::SweepSummary& s = g.summary;
    if (!s.root) return kExitOk;
    const std::string dir = cli->common.out_dir;
    if (s.complete && !cli->no_plot)
        run_plot("gradient", "plot_gradient_map.py", {dir + "/gradient_map.csv", dir + "/gradient_map.png"});
    std::map<std::string, int> counts;
    for (const auto& r : s.rows) ++counts[r[2]];
    const nlohmann::json j = grid_sweep_json(cli->common, options, g, counts);
    if (cli->common.json) print_json(j);
    else print_grid_sweep("gradient", "gradient_map", g, counts, dir);
    return kExitOk;
}

void print_human(const AdjointResult& r) {
    std::printf("state %s (%s route)\n", r.state.c_str(), r.method.c_str());
    if (!r.finite) {
        std::printf("  the adjoint became non-finite at t_before_horizon = %g\n", r.nonfinite_at);
        return;
    }
    std::printf("  growth_rate %.6g +- %.2g per tau_h (reference %s: %.6g)\n", r.growth_rate, r.growth_rate_err,
                r.reference_source.c_str(), r.reference_growth);
    std::printf("  a_h2 at the horizon %s\n", format_log_value(r.log_a_h2.back()).c_str());
    std::printf("  grad_norm_Jh %.6g  grad_norm_Jz %.6g  grad_norm_Jr %.6g\n", r.grad_norm_Jh.back(),
                r.grad_norm_Jz.back(), r.grad_norm_Jr.back());
    if (!r.message.empty()) std::printf("  note: %s\n", r.message.c_str());
    std::printf("  (%.2f s)\n", r.seconds);
}

}  // namespace

Command add_gradient(CLI::App& root) {
    auto cli = std::make_shared<GradientCli>();
    CLI::App* cmd = root.add_subcommand("gradient", "adjoint (gradient) field theory: |a|^2/N before the horizon, growth rate, "
                                                    "parameter-gradient sizes");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    cmd->add_option("--horizon", cli->adj.horizon, "window T before the loss, units of tau_h")->capture_default_str();
    cmd->add_option("--dt", cli->adj.dt, "time step of the two-time march (divides the horizon)")->capture_default_str();
    cmd->add_option("--profile-spacing", cli->adj.profile_spacing, "spacing of the rows of gradient.csv (0: the multiple of dt nearest 0.5)")
        ->capture_default_str();
    cmd->add_option("--fit-from", cli->adj.fit_from, "growth rate fitted on [fit_from T, T]")->capture_default_str();
    cmd->add_option("--memory-limit", cli->adj.memory_limit, "bytes of two-time storage")->capture_default_str();
    cmd->add_option("--state", cli->state,
                    "auto (the chaotic state if the DMFT has one, else the stable fixed point), chaotic, fixed-point")
        ->capture_default_str();
    cmd->add_option("--method", cli->method,
                    "chaotic state: auto (closure if alpha_z = 0, else sampled), closure, sampled")->capture_default_str();
    cmd->add_option("--paths", cli->sampled.paths, "sampled route: adjoint paths per random set")->capture_default_str();
    cmd->add_option("--random-sets", cli->sampled.random_sets, "sampled route: independent random sets (error bars)")
        ->capture_default_str();
    auto* simf = cmd->add_flag("--simulate", cli->simulate, "also backpropagate through finite networks (exact BPTT) and compare");
    cmd->add_option("--N", cli->bp.N, "with --simulate: network size")->capture_default_str()->needs(simf);
    cmd->add_option("--networks", cli->bp.networks, "with --simulate: networks (error bars over them)")
        ->capture_default_str()->needs(simf);
    cmd->add_option("--readouts", cli->bp.readouts, "with --simulate: readout vectors w per network")
        ->capture_default_str()->needs(simf);
    cmd->add_option("--burn-in", cli->bp.burn_in, "with --simulate: time before the window (not differentiated)")
        ->capture_default_str()->needs(simf);
    cmd->add_option("--sim-dt", cli->bp.window.dt, "with --simulate: RK4 step (divides the horizon and the spacing)")
        ->capture_default_str()->needs(simf);
    cmd->add_flag("--float32", cli->bp.single_precision, "with --simulate: single-precision coupling storage")->needs(simf);
    cmd->add_flag("--no-plot", cli->no_plot, "with --out: do not draw gradient.png (gradient_map.png)");
    add_grid_sweep_options(*cmd, cli->grid, false);

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        const ModelParams& p = cli->common.model;
        if (cli->state != "auto" && cli->state != "chaotic" && cli->state != "fixed-point")
            throw BadInput("state", "must be auto, chaotic or fixed-point, got '" + cli->state + "'");
        cli->adj.validate();
        if (cli->method != "auto" && cli->method != "closure" && cli->method != "sampled")
            throw BadInput("method", "must be auto, closure or sampled, got '" + cli->method + "'");
        if (cli->method == "closure" && p.alpha_z != 0 && cli->state != "fixed-point")
            throw BadInput("method", "the closure route of the chaotic state needs alpha_z = 0 (use sampled)");
        cli->sampled.validate();
        if (!cli->grid.x_text.empty() || !cli->grid.y_text.empty()) return with_mpi_ranks([&] { return run_map(cli.get()); });
        if (cli->grid.resume || !cli->grid.shard.empty()) throw BadInput("resume", "--resume and --shard need a map (--x and --y)");
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);

        // The chaotic state: the closure route for a constant clock unless --method sampled; the sampled route
        // runs on the forward solution's own lag step, which the adjoint step must divide: solve on it.
        const bool sampled = cli->method == "sampled" || (cli->method == "auto" && p.alpha_z != 0);
        const Target t = choose_target(p, cli->state, cli->common.seed, observer(cli->common), true,
                                       sampled ? cli->adj.dt : 0.0);
        if (!t.found) {
            std::fprintf(stderr, "gradient: %s\n", t.why.c_str());
            return kExitNotConverged;
        }
        AdjointSampledOptions so = cli->sampled;
        so.seed = cli->common.seed;
        so.observer = observer(cli->common);
        const AdjointResult r = !t.chaotic ? adjoint_fixed_point(p, t.fixed.Delta_h, t.fixed.Delta_r, cli->adj)
                                : sampled  ? adjoint_sampled(p, t.stationary, cli->adj, so)
                                           : adjoint_closure(p, t.stationary, cli->adj);

        // Finite N on the same window: the growth rate fitted on the DMFT's late window.
        std::optional<sim::BackpropResult> bp;
        sim::GrowthFit fit;
        sim::BackpropOptions bo = cli->bp;
        if (cli->simulate) {
            bo.seed = cli->common.seed;
            bo.observer = observer(cli->common);
            bo.window.horizon = cli->adj.horizon;
            bo.window.profile_spacing = cli->adj.resolved_spacing();
            bo.window.memory_limit = static_cast<double>(cli->adj.memory_limit);
            // At a fixed point the networks start at their own fixed point (Newton after the burn-in): with a
            // spread clock, relaxation does not get there in any practical time.
            bo.start_at_fixed_point = !t.chaotic;
            bp = sim::backprop_gradients(p, bo);
            fit = sim::fit_growth_rate(*bp, cli->adj.late_window_start(), cli->adj.horizon);
        }

        nlohmann::json settings;
        settings["horizon"] = cli->adj.horizon;
        settings["dt"] = cli->adj.dt;
        settings["profile_spacing"] = cli->adj.profile_spacing;
        settings["fit_from"] = cli->adj.fit_from;
        settings["state"] = cli->state;
        const nlohmann::json meta = run_meta(cli->common, settings);
        nlohmann::json j = meta;
        j.update(io::to_json(r));
        if (bp) {
            j["simulation"] = io::to_json(*bp, bo, fit);
            // The DMFT's plain slope over the networks' fit window (its own fit at a fixed point adds the
            // power-law prefactor, which a plain slope over a short window absorbs).
            const double from = cli->adj.late_window_start();
            j["simulation"]["fit_from"] = from;
            j["simulation"]["growth_rate_dmft_same_window"] =
                io::num(detail::fit_growth(r.t_before_horizon, r.log_a_h2, from, false).first);
        }
        if (!cli->common.out_dir.empty()) {
            const std::string& d = cli->common.out_dir;
            io::write_text_csv(d + "/gradient.csv", meta, io::gradient_profile_columns(), io::gradient_profile_rows(r));
            write_csv(d + "/gradient_norms.csv", meta, io::gradient_norm_columns(), io::gradient_norm_table(r));
            write_atomic(d + "/gradient.json", j.dump(2) + "\n");
            std::vector<std::string> plot = {d + "/gradient.csv", d + "/gradient_norms.csv", d + "/gradient.png"};
            if (bp) {
                nlohmann::json fm = meta;
                fm["N"] = bo.N;
                fm["networks"] = bo.networks;
                fm["readouts"] = bo.readouts;
                io::write_text_csv(d + "/gradient_finite_n.csv", fm, io::gradient_profile_columns(),
                                   io::gradient_profile_rows(*bp));
                plot.push_back(d + "/gradient_finite_n.csv");
            }
            if (!cli->no_plot) run_plot("gradient", "plot_gradient.py", plot);
        }
        if (cli->common.json) {
            print_json(j);
        } else {
            print_human(r);
            if (bp) {
                const auto h = bp->grad_norm_Jh;
                std::printf("finite N = %zu (%d networks x %d readouts, exact BPTT):\n  growth_rate %.6g +- %.2g\n"
                            "  grad_norm_Jh %s +- %s\n  (%.1f s)\n",
                            bo.N, bo.networks, bo.readouts, fit.rate, fit.stderr_,
                            h.value() ? fmt("%.6g", *h.value()).c_str() : "beyond double range",
                            h.stderr_() ? fmt("%.2g", *h.stderr_()).c_str() : "n/a", bp->seconds);
            }
        }
        return r.finite ? kExitOk : kExitNotConverged;
    };
    return c;
}

}  // namespace gdmft::app
