// Benchmark and measurement driver of the sampled adjoint DMFT (dmft/adjoint_sampled.hpp); prints, never
// asserts. Solves the stationary state (Gaussian closure for alpha_z = 0 unless method=sampled; the
// sampled solver otherwise), with lambda_max, then runs the adjoint and prints the growth rate against
// 2 lambda_max, the profile and the gradient norms, with the wall time of each stage.
//   bench_adjoint [key=value ...]
// keys: any model parameter (g_h, alpha_z, beta_z, tau_z, alpha_r, beta_r, tau_r, g_z, g_r, ...), and
//   method=gaussian|sampled, fwd_paths, fwd_sets, fwd_dt, window (stationary solve);
//   paths, sets, seed, dt, T, fit_from (adjoint); threads=N. Defaults: the SCS point g_eff = 2 with open
//   gates (g_h 2, beta_z = beta_r = -20), paths 1024, sets 4, dt 0.05, T 40.
#include "dmft/adjoint_sampled.hpp"
#include "dmft/solve.hpp"
#include "numerics/progress.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

using namespace gdmft;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
    ModelParams p;
    p.g_h = 2.0;
    p.beta_z = -20;
    p.beta_r = -20;
    p.tau_r = 0;
    std::map<std::string, std::string> kv = {{"method", "auto"}, {"fwd_paths", "2000"}, {"fwd_sets", "2"},
                                             {"fwd_dt", "0"},     {"window", "0"},       {"paths", "1024"},
                                             {"sets", "4"},       {"seed", "1"},          {"dt", "0.05"},
                                             {"T", "40"},         {"fit_from", "0.5"},   {"verbose", "0"}};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "bad argument '%s' (key=value)\n", a.c_str());
            return 2;
        }
        const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
        if (double* f = p.field(k))
            *f = std::atof(v.c_str());
        else if (kv.count(k))
            kv[k] = v;
        else {
            std::fprintf(stderr, "unknown key '%s'\n", k.c_str());
            return 2;
        }
    }
    StderrObserver obs;
    const bool verbose = kv["verbose"] != "0";
    StationaryOptions so;
    so.observer = verbose ? &obs : nullptr;
    so.method = kv["method"] == "sampled" ? Method::Sampled : kv["method"] == "gaussian" ? Method::Gaussian : Method::Auto;
    so.paths = std::atoi(kv["fwd_paths"].c_str());
    so.random_sets = std::atoi(kv["fwd_sets"].c_str());
    so.grid.dt = std::atof(kv["fwd_dt"].c_str());
    so.grid.window = std::atof(kv["window"].c_str());
    so.seed = std::strtoull(kv["seed"].c_str(), nullptr, 10);
    so.lyapunov = true;
    double t0 = now();
    const StationaryResult fwd = solve_stationary(p, so);
    const double t_fwd = now() - t0;
    std::printf("forward: %s, converged %d, C_h0 %.6g +- %.2g, lambda_max %.6g +- %.2g (%s), %.1f s\n  %s\n",
                fwd.method.c_str(), int(fwd.converged), fwd.C_h0, fwd.stat_err, fwd.lambda_max, fwd.lambda_max_err,
                fwd.lambda_method.c_str(), t_fwd, fwd.message.c_str());
    if (!fwd.converged) return 1;

    AdjointOptions o;
    o.dt = std::atof(kv["dt"].c_str());
    o.horizon = std::atof(kv["T"].c_str());
    o.fit_from = std::atof(kv["fit_from"].c_str());
    o.profile_spacing = o.dt * std::max(1.0, std::round(o.horizon / 8 / o.dt));
    AdjointSampledOptions as;
    as.observer = verbose ? &obs : nullptr;
    as.paths = std::strtoul(kv["paths"].c_str(), nullptr, 10);
    as.random_sets = std::atoi(kv["sets"].c_str());
    as.seed = so.seed;
    t0 = now();
    const AdjointResult r = adjoint_sampled(p, fwd, o, as);
    const double t_adj = now() - t0;
    const double ref = 2 * fwd.lambda_max, ref_err = 2 * fwd.lambda_max_err;
    std::printf("adjoint (threads %d): growth %.6g +- %.2g per tau_h; 2 lambda_max %.6g +- %.2g; ratio %.4f +- %.4f; "
                "%.1f s\n  %s\n",
                omp_get_max_threads(), r.growth_rate, r.growth_rate_err, ref, ref_err, r.growth_rate / ref,
                std::hypot(r.growth_rate_err / ref, r.growth_rate * ref_err / (ref * ref)), t_adj, r.message.c_str());
    std::printf("  s        ln a_h2       err     a_z2        a_r2\n");
    for (std::size_t i = 0; i < r.t_before_horizon.size(); ++i)
        std::printf("  %-8.4g %-12.6g %-7.2g %-11.4g %-11.4g\n", r.t_before_horizon[i], r.log_a_h2[i], r.log_a_h2_err[i],
                    r.a_z2.empty() ? NAN : r.a_z2[i], r.a_r2.empty() ? NAN : r.a_r2[i]);
    std::printf("  T'       |dL/dJh|^2            |dL/dJz|^2            |dL/dJr|^2\n");
    for (std::size_t i = 0; i < r.norm_horizons.size(); ++i)
        std::printf("  %-8.4g %-10.4g +- %-8.2g %-10.4g +- %-8.2g %-10.4g +- %-8.2g\n", r.norm_horizons[i],
                    r.grad_norm_Jh[i], r.grad_norm_Jh_err[i], r.grad_norm_Jz[i], r.grad_norm_Jz_err[i], r.grad_norm_Jr[i],
                    r.grad_norm_Jr_err[i]);
    return 0;
}
