// gdmft solve: the stationary DMFT (THEORY.md section 2), by the deterministic Gaussian closure
// (alpha_z = 0) or by sampling the single-site process.
//
// Flags to StationaryOptions, dmft/solve.hpp solve_stationary, and the result to JSON/CSV/text. The
// Lyapunov routes (--lyapunov-method) are described in dmft/lyapunov.hpp.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/solve.hpp"
#include "io/stationary_csv.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

namespace gdmft::app {

namespace {

struct SolveCli {
    CommonOptions common;
    StationaryOptions opts;
    std::string method = "auto";
    std::string lyapunov_method = "auto";
};

// `o`: the options as run (method resolved, dt filled in).
nlohmann::json settings_json(const SolveCli& c, const StationaryOptions& o) {
    const std::string method = to_string(o.method);
    nlohmann::json s;
    s["method"] = method;
    s["dt"] = o.grid.dt;
    s["window"] = o.grid.window;
    if (o.grid.window == 0 && method == "sampled")
        s["max_window"] = o.grid.max_window > 0 ? o.grid.max_window : sampled_default_max_window;
    if (o.max_time > 0) s["max_time"] = o.max_time;
    s["tol"] = o.tol;
    s["max_iter"] = o.max_iterations;
    s["lyapunov"] = o.lyapunov;
    if (o.lyapunov) s["lyapunov_method"] = c.lyapunov_method;
    if (method == "sampled" || (o.lyapunov && c.lyapunov_method == "sampled-tangent")) {
        s["paths"] = o.paths;
        s["random_sets"] = o.random_sets;
        s["noise_tol"] = o.noise_tol;
    }
    return s;
}

nlohmann::json result_json(const SolveCli& c, const StationaryOptions& run, const StationaryResult& r) {
    nlohmann::json j = run_meta(c.common, settings_json(c, run));
    const nlohmann::json body = io::to_json(r);
    for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
    return j;
}

void print_summary(const StationaryResult& r, bool lyapunov) {
    std::printf("method       = %s\n", r.method.c_str());
    std::printf("converged    = %s (%s, %d iterations, residual %.3g)\n", r.converged ? "true" : "false",
                to_string(r.termination).c_str(), r.iterations, r.residual);
    std::printf("C_h0         = %.10g", r.C_h0);
    if (r.stat_err > 0) std::printf(" +- %.2g", r.stat_err);
    std::printf("\nC_phi0       = %.10g\nC_r0         = %.10g\nC_z0         = %.10g\n", r.C_phi0, r.C_r0, r.C_z0);
    std::printf("q_h          = %.10g\ntau_corr     = %.6g\ntau_response = %.6g\nmean_sigma_z = %.6g\n", r.q_h,
                r.tau_corr, r.tau_response, r.mean_sigma_z);
    std::printf("tail         = %s\n", tail_summary(r.tail).c_str());
    if (lyapunov) {
        std::printf("lambda_max   = %.6g", r.lambda_max);
        if (std::isfinite(r.lambda_max_err)) std::printf(" +- %.2g", r.lambda_max_err);
        std::printf(" (%s", r.lambda_method.empty() ? "not computed" : r.lambda_method.c_str());
        if (std::isfinite(r.zero_mode_eigenvalue)) std::printf(", zero mode %.6g", r.zero_mode_eigenvalue);
        std::printf(")\n");
    }
    if (!r.message.empty()) std::printf("%s\n", r.message.c_str());
}

}  // namespace

Command add_solve(CLI::App& root) {
    auto cli = std::make_shared<SolveCli>();
    CLI::App* cmd = root.add_subcommand("solve", "stationary DMFT: Gaussian closure (alpha_z = 0) or sampled single site");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->opts;
    cmd->add_option("--method", cli->method, "auto, gaussian (alpha_z = 0 only) or sampled; auto: gaussian when alpha_z = 0")
        ->capture_default_str()->group("Solver");
    cmd->add_flag("--lyapunov", o.lyapunov, "also compute the largest Lyapunov exponent")->group("Solver");
    cmd->add_option("--lyapunov-method", cli->lyapunov_method,
                    "auto, schrodinger (closure, tau_r = 0), closure-tangent (closure, any tau_r) or sampled-tangent")
        ->capture_default_str()->group("Solver");
    cmd->add_option("--dt", o.grid.dt, "lag step (units of tau_h); default 0.05 (gaussian), 0.2 (sampled)")->group("Solver");
    cmd->add_option("--window", o.grid.window, "lag window (units of tau_h); 0 = automatic")->capture_default_str()->group("Solver");
    cmd->add_option("--max-window", o.grid.max_window,
                    "sampled, automatic window: the largest window it may grow to (units of tau_h; 0 = 2000); beyond "
                    "it the solve stops with exit 3 and the values at its last two windows")
        ->capture_default_str()->group("Solver");
    cmd->add_option("--max-time", o.max_time,
                    "sampled: wall-clock budget in seconds (0 = none); when it runs out the solve stops with exit 3")
        ->capture_default_str()->group("Solver");
    cmd->add_option("--tol", o.tol, "convergence tolerance (gaussian: on C_h(0))")->capture_default_str()->group("Solver");
    cmd->add_option("--max-iter", o.max_iterations, "iteration limit")->capture_default_str()->group("Solver");
    cmd->add_option("--paths", o.paths, "sampled: sample paths M at the final stage")->capture_default_str()->group("Solver");
    cmd->add_option("--random-sets", o.random_sets, "sampled: independent random sets for the statistical error")
        ->capture_default_str()->group("Solver");
    cmd->add_option("--noise-tol", o.noise_tol,
                    "sampled: also stop when the residual is below this fraction of the map's sampling noise (0 = off)")
        ->capture_default_str()->group("Solver");

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        const ModelParams& m = cli->common.model;
        auto& o = cli->opts;
        o.seed = cli->common.seed;
        o.method = parse_method(cli->method);
        o.lyapunov_method = parse_lyapunov_method(cli->lyapunov_method);
        o.observer = observer(cli->common);
        const StationaryOptions run = resolved_options(m, o);
        run.validate();
        if (o.lyapunov) resolve_lyapunov_method(m, run.method, o.lyapunov_method);  // bad input before the solve
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        const StationaryResult r = solve_stationary(m, run);
        if (!cli->common.out_dir.empty())
            io::write_stationary_csv(cli->common.out_dir + "/correlations.csv",
                                     run_meta(cli->common, settings_json(*cli, run)), r);
        if (cli->common.json)
            print_json(result_json(*cli, run, r));
        else
            print_summary(r, o.lyapunov);
        if (!r.converged) {
            std::fprintf(stderr, "gdmft solve: not converged (%s): %s\n", to_string(r.termination).c_str(), r.message.c_str());
            return kExitNotConverged;
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
