// Benchmark of the sampled single-site DMFT (prints, never asserts):
//   1. path-steps per second of one map evaluation (sampling + integration + FFT correlation) on all
//      OpenMP threads, for a constant clock (alpha_z = 0) and a fluctuating clock (alpha_z = 5);
//   2. wall time of full sampled solves (the default model at g_eff = 1.5, and SCS g_eff = 2) at the
//      CLI defaults on seeds 1-8, with the statistical error and the deviation from the exact Delta0
//      (THEORY.md 8), and the ratio of medians to dt 0.1 (the former default) on the same seeds;
//   3. with --span: the cost of one map evaluation against the lag window (the time span resolved).
#include "dmft/single_site_sampler.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Fixed drive and clock covariances (flat top, exponential tail of 6 tau_h) on n lags of dt.
SiteFields bench_fields(std::size_t n, double dt) {
    SiteFields f;
    f.eta_dyn.resize(n);
    f.z_dyn.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double t = dt * double(k);
        f.eta_dyn[k] = 2.0 / std::cosh(t / 6.0);
        f.z_dyn[k] = 0.5 / std::cosh(t / 6.0);
    }
    return f;
}

void bench_map(const char* label, const ModelParams& p, std::size_t n, std::size_t paths, int reps) {
    // Lag products every 0.2 tau_h: the solver's spacing with a fluctuating clock (with a constant one it
    // takes 0.2 tau_eff, 0.4 tau_h here); both models are timed alike so the figures stay comparable.
    const SiteGrid g = SiteGrid::make(n, 0.05, 3 * n, 0.2);
    SingleSiteSampler smp(p, g, paths, 1);
    const SiteFields f = bench_fields(n, 0.05);
    smp.run(f, paths, false);  // warm-up (plans, pages)
    double t0 = now();
    for (int r = 0; r < reps; ++r) smp.run(f, paths, false);
    const double el = (now() - t0) / reps;
    t0 = now();
    smp.run(f, paths, true);
    const double el_full = now() - t0;
    const double steps = double(paths) * double(g.m);
    std::printf("%-20s n=%zu m=%zu stride=%zu paths=%zu threads=%d noise %s: %.3f s/iteration, %.3g path-steps/s "
                "(full measurement %.3g path-steps/s)\n",
                label, n, g.m, g.stride, paths, omp_get_max_threads(), smp.noise_stored() ? "stored" : "redrawn", el,
                steps / el, steps / el_full);
}

// Cost against the time span resolved: one map evaluation (1000 paths at the default step, lag products
// every 0.2 tau_h, path length max(3 windows, 600 tau_h) as the solver sets it) for windows 50 to 3200 tau_h.
void bench_span(const ModelParams& p, const char* label) {
    const double dt = default_dt(Method::Sampled);
    const std::size_t paths = 1000;
    double first = 0;
    for (double window : {50.0, 100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0}) {
        const auto n = static_cast<std::size_t>(window / dt) + 1;
        const auto measured = std::max<std::size_t>(3 * n, static_cast<std::size_t>(600 / dt));
        const SiteGrid g = SiteGrid::make(n, dt, measured, 0.2);
        SingleSiteSampler smp(p, g, paths, 1);
        const SiteFields f = bench_fields(n, dt);
        smp.run(f, paths, false);  // warm-up (noise drawn, pages touched)
        const double t0 = now();
        smp.run(f, paths, false);
        const double el = now() - t0;
        if (first == 0) first = el;
        std::printf("span, %-14s window %6.0f tau_h, dt %.2g: m = %zu steps per path, %.3f s per map evaluation "
                    "(%.2fx window 50)\n",
                    label, window, dt, g.m, el, el / first);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    if (argc > 1 && std::string(argv[1]) == "--span") {
        ModelParams scs;
        scs.g_h = 4.0;
        ModelParams gated = scs;
        gated.alpha_z = 5.0;
        bench_span(scs, "alpha_z = 0");
        bench_span(gated, "alpha_z = 5");
        return 0;
    }
    ModelParams scs;
    scs.g_h = 4.0;  // g_eff = g_h sigma_r(0) = 2
    ModelParams gated = scs;
    gated.alpha_z = 5.0;
    bench_map("map, alpha_z = 0", scs, 2001, 4000, quick ? 1 : 3);
    bench_map("map, alpha_z = 5", gated, 2001, 4000, quick ? 1 : 3);
    if (quick) return 0;

    // Full solves at the CLI defaults of the sampled method (4000 paths, 4 random sets, the constant-clock
    // step dt 0.2, automatic window, noise_tol 0.02) on 8 seeds (the iteration count varies with the random
    // sets), and on the same seeds at dt 0.1 (the former default) for the ratio in one run. Exact values:
    // THEORY.md 8 (SCS Delta0).
    struct Case {
        const char* label;
        double g_eff, exact;
    };
    for (const Case c : {Case{"default model, g_eff = 1.5", 1.5, 0.747686}, Case{"SCS g_eff = 2", 2.0, 1.924805}}) {
        ModelParams p;
        p.g_h = 2 * c.g_eff;
        std::vector<double> times;
        auto solve = [&](std::uint64_t seed, double dt, double noise_tol, const char* tag) {
            StationaryOptions o;
            o.seed = seed;
            o.grid.dt = dt;
            o.noise_tol = noise_tol;
            const double t0 = now();
            const StationaryResult r = solve_sampled(p, o);
            const double el = now() - t0;
            std::printf("solve (%s, %s, seed %llu): %.1f s, converged %d, %d iterations, C_h0 = %.5f +- %.5f (%.2f%% of "
                        "C_h0), exact %.6f, deviation %+.2f standard errors\n",
                        c.label, tag, static_cast<unsigned long long>(seed), el, r.converged, r.iterations, r.C_h0,
                        r.stat_err, 100 * r.stat_err / r.C_h0, c.exact, (r.C_h0 - c.exact) / r.stat_err);
            return el;
        };
        auto median = [](std::vector<double> t) {
            std::sort(t.begin(), t.end());
            return 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
        };
        const double dt_default = default_dt(Method::Sampled);
        std::vector<double> before;
        for (std::uint64_t seed = 1; seed <= 8; ++seed) times.push_back(solve(seed, dt_default, 0.02, "defaults"));
        for (std::uint64_t seed = 1; seed <= 8; ++seed) before.push_back(solve(seed, 0.1, 0.02, "dt 0.1"));
        std::printf("solve (%s): median %.1f s over seeds 1-8 at the defaults (dt %.2g); %.1f s at dt 0.1 (ratio %.2f)\n",
                    c.label, median(times), dt_default, median(before), median(before) / median(times));
    }
    return 0;
}
