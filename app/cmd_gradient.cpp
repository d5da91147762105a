// gdmft gradient: the adjoint (gradient) field theory of THEORY.md 7 (dmft/adjoint.hpp) on the window of
// length --horizon before the loss, in the chaotic state or at a stable fixed point.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/adjoint.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/solve.hpp"
#include "io/gradient_io.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct GradientCli {
    CommonOptions common;
    AdjointOptions adj;
    std::string state = "auto";
    bool no_plot = false;
};

// The stable fixed point with the smallest Delta_h, or nullptr.
const FixedPointBranch* stable_branch(const std::vector<FixedPointBranch>& b) {
    for (const auto& x : b)
        if (x.stable) return &x;
    return nullptr;
}

bool chaotic(const StationaryResult& s) {
    return s.converged && s.termination == Termination::Converged && s.C_h0 - s.q_h > 1e-8 * std::max(1.0, s.C_h0);
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
    cmd->add_option("--profile-spacing", cli->adj.profile_spacing, "spacing of the rows of gradient.csv")
        ->capture_default_str();
    cmd->add_option("--fit-from", cli->adj.fit_from, "growth rate fitted on [fit_from T, T]")->capture_default_str();
    cmd->add_option("--memory-limit", cli->adj.memory_limit, "bytes of two-time storage")->capture_default_str();
    cmd->add_option("--state", cli->state,
                    "auto (the chaotic state if the DMFT has one, else the stable fixed point), chaotic, fixed-point")
        ->capture_default_str();
    cmd->add_flag("--no-plot", cli->no_plot, "with --out: do not draw gradient.png");

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        const ModelParams& p = cli->common.model;
        if (cli->state != "auto" && cli->state != "chaotic" && cli->state != "fixed-point")
            throw BadInput("state", "must be auto, chaotic or fixed-point, got '" + cli->state + "'");
        cli->adj.validate();
        if (p.alpha_z != 0 && cli->state != "fixed-point")
            throw BadInput("alpha_z", "the adjoint DMFT of the chaotic state with a fluctuating clock (alpha_z != 0) needs "
                                      "the sampled route, which this build does not have yet (--state fixed-point works)");
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);

        AdjointResult r;
        bool want_chaos = cli->state != "fixed-point";
        StationaryResult st;
        if (want_chaos) {
            StationaryOptions so;
            so.observer = observer(cli->common);
            so.seed = cli->common.seed;
            st = solve_stationary(p, so);
            if (!chaotic(st)) {
                if (cli->state == "chaotic") {
                    std::fprintf(stderr, "gradient: no chaotic stationary state at this point (%s)\n", st.message.c_str());
                    return kExitNotConverged;
                }
                want_chaos = false;
            }
        }
        if (want_chaos) {
            r = adjoint_closure(p, st, cli->adj);
        } else {
            const auto branches = fixed_points(p);
            const FixedPointBranch* b = stable_branch(branches);
            if (!b) {
                std::fprintf(stderr, "gradient: neither a chaotic state nor a stable fixed point at this point\n");
                return kExitNotConverged;
            }
            r = adjoint_fixed_point(p, b->Delta_h, b->Delta_r, cli->adj);
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
        if (!cli->common.out_dir.empty()) {
            const std::string& d = cli->common.out_dir;
            io::write_text_csv(d + "/gradient.csv", meta, io::gradient_profile_columns(), io::gradient_profile_rows(r));
            write_csv(d + "/gradient_norms.csv", meta, io::gradient_norm_columns(), io::gradient_norm_table(r));
            write_atomic(d + "/gradient.json", j.dump(2) + "\n");
            if (!cli->no_plot)
                run_plot("gradient", "plot_gradient.py", {d + "/gradient.csv", d + "/gradient_norms.csv", d + "/gradient.png"});
        }
        if (cli->common.json) print_json(j);
        else print_human(r);
        return r.finite ? kExitOk : kExitNotConverged;
    };
    return c;
}

}  // namespace gdmft::app
