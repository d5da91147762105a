// gdmft solve: the stationary DMFT (THEORY.md section 2), by the deterministic Gaussian closure
// (alpha_z = 0) or by sampling the single-site process.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace gdmft::app {

namespace {

struct SolveCli {
    CommonOptions common;
    StationaryOptions opts;
    std::string method;  // empty: gaussian when alpha_z = 0, else sampled
};

nlohmann::json settings_json(const SolveCli& c, const std::string& method) {
    const auto& o = c.opts;
    nlohmann::json s;
    s["method"] = method;
    s["dt"] = o.grid.dt;
    s["window"] = o.grid.window;
    s["tol"] = o.tol;
    s["max_iter"] = o.max_iterations;
    s["lyapunov"] = o.lyapunov;
    if (method == "sampled") {
        s["paths"] = o.paths;
        s["random_sets"] = o.random_sets;
    }
    return s;
}

nlohmann::json result_json(const SolveCli& c, const StationaryResult& r) {
    nlohmann::json j = run_meta(c.common, settings_json(c, r.method));
    j["converged"] = r.converged;
    j["method"] = r.method;
    j["C_h0"] = num(r.C_h0);
    j["C_phi0"] = num(r.C_phi0);
    j["C_r0"] = num(r.C_r0);
    j["C_z0"] = num(r.C_z0);
    j["tau_corr"] = num(r.tau_corr);
    j["tau_response"] = num(r.tau_response);
    j["mean_sigma_z"] = num(r.mean_sigma_z);
    j["lambda_max"] = c.opts.lyapunov ? num(r.lambda_max) : nlohmann::json(nullptr);
    j["stat_err"] = num(r.stat_err);
    j["iterations"] = r.iterations;
    // Extras.
    j["termination"] = to_string(r.termination);
    j["message"] = r.message;
    j["residual"] = num(r.residual);
    j["zero_mode_eigenvalue"] = c.opts.lyapunov ? num(r.zero_mode_eigenvalue) : nlohmann::json(nullptr);
    j["mean_h"] = num(r.mean_h);
    j["q_h"] = num(r.q_h);
    j["q_phi"] = num(r.q_phi);
    j["lags"] = r.tau.size();
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
    if (lyapunov) std::printf("lambda_max   = %.6g (zero mode %.6g)\n", r.lambda_max, r.zero_mode_eigenvalue);
    if (!r.message.empty()) std::printf("%s\n", r.message.c_str());
}

}  // namespace

Command add_solve(CLI::App& root) {
    auto cli = std::make_shared<SolveCli>();
    CLI::App* cmd = root.add_subcommand("solve", "stationary DMFT: Gaussian closure (alpha_z = 0) or sampled single site");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->opts;
    cmd->add_option("--method", cli->method, "gaussian (alpha_z = 0 only) or sampled; default: gaussian when alpha_z = 0")
        ->group("Solver");
    cmd->add_flag("--lyapunov", o.lyapunov, "also compute the largest Lyapunov exponent")->group("Solver");
    cmd->add_option("--dt", o.grid.dt, "lag step (units of tau_h)")->capture_default_str()->group("Solver");
    cmd->add_option("--window", o.grid.window, "lag window (units of tau_h); 0 = automatic")->capture_default_str()->group("Solver");
    cmd->add_option("--tol", o.tol, "convergence tolerance (gaussian: on C_h(0))")->capture_default_str()->group("Solver");
    cmd->add_option("--max-iter", o.max_iterations, "iteration limit")->capture_default_str()->group("Solver");
    cmd->add_option("--paths", o.paths, "sampled: sample paths M at the final stage")->capture_default_str()->group("Solver");
    cmd->add_option("--random-sets", o.random_sets, "sampled: independent random sets for the statistical error")
        ->capture_default_str()->group("Solver");

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        const ModelParams& m = cli->common.model;
        auto& o = cli->opts;
        o.seed = cli->common.seed;
        std::string method = cli->method.empty() ? (m.alpha_z == 0 ? "gaussian" : "sampled") : cli->method;
        if (method != "gaussian" && method != "sampled")
            throw BadInput("method", "must be 'gaussian' or 'sampled', got '" + method + "'");
        if (method == "gaussian" && m.alpha_z != 0)
            throw BadInput("method", "'gaussian' needs alpha_z = 0 (the closure assumes a constant update gate); use 'sampled'");
        o.validate();
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        Progress::set_quiet(cli->common.quiet);
        const StationaryResult r = method == "gaussian" ? solve_gaussian(m, o) : solve_sampled(m, o);
        if (!cli->common.out_dir.empty())
            write_csv(cli->common.out_dir + "/correlations.csv", run_meta(cli->common, settings_json(*cli, r.method)),
                      {"tau", "C_h", "C_phi", "C_r", "C_z", "C_srphi", "R"},
                      {r.tau, r.C_h, r.C_phi, r.C_r, r.C_z, r.C_srphi, r.R});
        if (cli->common.json)
            print_json(result_json(*cli, r));
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
