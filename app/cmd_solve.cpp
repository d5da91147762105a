// gdmft solve: the stationary DMFT (THEORY.md section 2), by the deterministic Gaussian closure
// (alpha_z = 0) or by sampling the single-site process.
//
// --lyapunov (THEORY.md 5) is computed by one of (--lyapunov-method, key lambda_method):
//   schrodinger      Gaussian closure with an instantaneous or constant r gate: ground state of the
//                    Schrodinger problem (inside solve_gaussian; zero_mode_eigenvalue checks it);
//   closure-tangent  Gaussian closure, any tau_r: the tangent self-consistency in closed form on the
//                    closure's pair averages (dmft/lyapunov_closure_tangent.hpp), deterministic;
//   sampled-tangent  the tangent DMFT on sampled single-site paths (dmft/tangent_dmft.hpp): the sampled
//                    solver's own (any alpha_z), or driven by the closure's fields
//                    (dmft/lyapunov_sampled.hpp); lambda_max_err is the spread over random sets;
//   fixed-point      no chaotic solution: the support edge of the Jacobian at the stable fixed point.
// auto (default): schrodinger where it applies, else closure-tangent for the closure, sampled-tangent
// for the sampled solver.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/lyapunov_sampled.hpp"
#include "dmft/stationary.hpp"
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
    std::string method;  // empty: gaussian when alpha_z = 0, else sampled
    std::string lyapunov_method = "auto";
    CLI::Option* dt_option = nullptr;  // to tell a given --dt from the method's default
};

// Where lambda_max came from, and its statistical error (NaN for the deterministic routes).
struct LyapunovOutcome {
    std::string method;  // empty: not computed
    double err = std::numeric_limits<double>::quiet_NaN();
};

bool schrodinger_applies(const ModelParams& m) { return m.gate_r().constant() || m.tau_r == 0; }

// Resolves --lyapunov-method against the solver; throws BadInput for a combination that does not apply.
std::string resolve_lyapunov_method(const std::string& requested, const std::string& solver, const ModelParams& m) {
    const std::string& r = requested;
    if (r != "auto" && r != "schrodinger" && r != "closure-tangent" && r != "sampled-tangent")
        throw BadInput("lyapunov_method", "must be auto, schrodinger, closure-tangent or sampled-tangent, got '" + r + "'");
    if (solver == "sampled") {
        if (r != "auto" && r != "sampled-tangent")
            throw BadInput("lyapunov_method", "the sampled solver computes lambda_max by sampled-tangent only");
        return "sampled-tangent";
    }
    if (r == "schrodinger" && !schrodinger_applies(m))
        throw BadInput("lyapunov_method", "schrodinger needs tau_r = 0 or a constant r gate (alpha_r = 0)");
    if (r == "auto") return schrodinger_applies(m) ? "schrodinger" : "closure-tangent";
    return r;
}

// lambda_max after the stationary solve: keeps the closure's Schrodinger value or replaces it by the
// requested tangent route; NaN lambda_max when nothing applies (a dynamic r gate at a fixed point).
LyapunovOutcome finish_lyapunov(const SolveCli& c, const ModelParams& m, StationaryResult& r) {
    LyapunovOutcome out;
    const std::string how = resolve_lyapunov_method(c.lyapunov_method, r.method, m);
    if (r.method == "sampled") {
        out.method = std::isfinite(r.lambda_max) ? "sampled-tangent" : "";
        out.err = r.lambda_max_err;
        return out;
    }
    if (r.termination == Termination::NoChaoticSolution) {
        // The stationary state is the fixed point (C_h0 = Delta_h, C_r0 = Delta_r); the closure gives its
        // support edge for an instantaneous gate, this adds tau_r > 0.
        if (!std::isfinite(r.lambda_max) && r.converged) r.lambda_max = fixed_point_lambda(m, r.C_h0, r.C_r0);
        out.method = std::isfinite(r.lambda_max) ? "fixed-point" : "";
        return out;
    }
    if (!r.converged) return out;
    if (how == "schrodinger") {
        out.method = "schrodinger";
        return out;
    }
    r.zero_mode_eigenvalue = std::numeric_limits<double>::quiet_NaN();  // belongs to the Schrodinger route
    // The closure's note that its Schrodinger formula does not apply is answered below.
    if (const auto k = r.message.find("; lambda_max not computed"); k != std::string::npos) {
        const auto e = r.message.find("DMFT", k);
        r.message.erase(k, e == std::string::npos ? std::string::npos : e + 4 - k);
    }
    if (how == "closure-tangent") {
        const ClosureTangentMapResult t = closure_tangent_lambda(m, r);
        log_line("solve: " + t.message);
        r.lambda_max = t.lambda_max;
        r.message += "; " + t.message;
        if (!t.converged) {
            r.converged = false;
            r.termination = Termination::MaxIterations;
        }
        out.method = "closure-tangent";
        return out;
    }
    ClosureTangentOptions to;
    to.paths = std::max<std::size_t>(256, static_cast<std::size_t>(c.opts.paths) / 4);
    to.random_sets = c.opts.random_sets;
    to.seed = c.opts.seed;
    const ClosureTangentResult t = tangent_lambda_from_closure(m, r, to);
    r.lambda_max = t.lambda_max;
    r.lambda_max_err = t.lambda_max_err;
    r.message += "; " + t.message;
    if (!t.converged) {
        r.converged = false;
        r.termination = Termination::MaxIterations;
    }
    out.method = "sampled-tangent";
    out.err = t.lambda_max_err;
    return out;
}

nlohmann::json settings_json(const SolveCli& c, const std::string& method) {
    const auto& o = c.opts;
    nlohmann::json s;
    s["method"] = method;
    s["dt"] = o.grid.dt;
    s["window"] = o.grid.window;
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

nlohmann::json result_json(const SolveCli& c, const StationaryResult& r, const LyapunovOutcome& ly) {
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
    j["lambda_max_err"] = c.opts.lyapunov ? num(ly.err) : nlohmann::json(nullptr);
    j["lambda_method"] = c.opts.lyapunov && !ly.method.empty() ? nlohmann::json(ly.method) : nlohmann::json(nullptr);
    j["stat_err"] = num(r.stat_err);
    j["iterations"] = r.iterations;
    // Extras.
    j["termination"] = to_string(r.termination);
    j["message"] = r.message;
    j["residual"] = num(r.residual);
    j["residual_target"] = num(r.residual_target);
    j["zero_mode_eigenvalue"] = c.opts.lyapunov ? num(r.zero_mode_eigenvalue) : nlohmann::json(nullptr);
    j["mean_h"] = num(r.mean_h);
    j["q_h"] = num(r.q_h);
    j["q_phi"] = num(r.q_phi);
    j["lags"] = r.tau.size();
    return j;
}

void print_summary(const StationaryResult& r, bool lyapunov, const LyapunovOutcome& ly) {
    std::printf("method       = %s\n", r.method.c_str());
    std::printf("converged    = %s (%s, %d iterations, residual %.3g)\n", r.converged ? "true" : "false",
                to_string(r.termination).c_str(), r.iterations, r.residual);
    std::printf("C_h0         = %.10g", r.C_h0);
    if (r.stat_err > 0) std::printf(" +- %.2g", r.stat_err);
    std::printf("\nC_phi0       = %.10g\nC_r0         = %.10g\nC_z0         = %.10g\n", r.C_phi0, r.C_r0, r.C_z0);
    std::printf("q_h          = %.10g\ntau_corr     = %.6g\ntau_response = %.6g\nmean_sigma_z = %.6g\n", r.q_h,
                r.tau_corr, r.tau_response, r.mean_sigma_z);
    if (lyapunov) {
        std::printf("lambda_max   = %.6g", r.lambda_max);
        if (std::isfinite(ly.err)) std::printf(" +- %.2g", ly.err);
        std::printf(" (%s", ly.method.empty() ? "not computed" : ly.method.c_str());
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
    cmd->add_option("--method", cli->method, "gaussian (alpha_z = 0 only) or sampled; default: gaussian when alpha_z = 0")
        ->group("Solver");
    cmd->add_flag("--lyapunov", o.lyapunov, "also compute the largest Lyapunov exponent")->group("Solver");
    cmd->add_option("--lyapunov-method", cli->lyapunov_method,
                    "auto, schrodinger (closure, tau_r = 0), closure-tangent (closure, any tau_r) or sampled-tangent")
        ->capture_default_str()->group("Solver");
    cli->dt_option = cmd->add_option("--dt", o.grid.dt, "lag step (units of tau_h); default 0.05 (gaussian), 0.1 (sampled)")
                         ->group("Solver");
    cmd->add_option("--window", o.grid.window, "lag window (units of tau_h); 0 = automatic")->capture_default_str()->group("Solver");
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
        std::string method = cli->method.empty() ? (m.alpha_z == 0 ? "gaussian" : "sampled") : cli->method;
        if (method != "gaussian" && method != "sampled")
            throw BadInput("method", "must be 'gaussian' or 'sampled', got '" + method + "'");
        if (method == "gaussian" && m.alpha_z != 0)
            throw BadInput("method", "'gaussian' needs alpha_z = 0 (the closure assumes a constant update gate); use 'sampled'");
        if (method == "sampled" && cli->dt_option->count() == 0) o.grid.dt = sampled_default_dt;
        o.validate();
        if (o.lyapunov) resolve_lyapunov_method(cli->lyapunov_method, method, m);  // bad input before the solve
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        Progress::set_quiet(cli->common.quiet);
        StationaryResult r = method == "gaussian" ? solve_gaussian(m, o) : solve_sampled(m, o);
        const LyapunovOutcome ly = o.lyapunov ? finish_lyapunov(*cli, m, r) : LyapunovOutcome{};
        if (!cli->common.out_dir.empty())
            write_csv(cli->common.out_dir + "/correlations.csv", run_meta(cli->common, settings_json(*cli, r.method)),
                      {"tau", "C_h", "C_phi", "C_r", "C_z", "C_srphi", "R"},
                      {r.tau, r.C_h, r.C_phi, r.C_r, r.C_z, r.C_srphi, r.R});
        if (cli->common.json)
            print_json(result_json(*cli, r, ly));
        else
            print_summary(r, o.lyapunov, ly);
        if (!r.converged) {
            std::fprintf(stderr, "gdmft solve: not converged (%s): %s\n", to_string(r.termination).c_str(), r.message.c_str());
            return kExitNotConverged;
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
