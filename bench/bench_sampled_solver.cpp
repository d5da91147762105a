// Benchmark of the sampled single-site DMFT (prints, never asserts):
//   1. path-steps per second of one map evaluation (sampling + integration + FFT correlation) on all
//      OpenMP threads, for a constant clock (alpha_z = 0) and a fluctuating clock (alpha_z = 5);
//   2. wall time of a full sampled solve (SCS g_eff = 2) at default settings and at 2000 paths, with its
//      statistical error and its deviation from the exact Delta0 (THEORY.md 8).
#include "dmft/single_site_sampler.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace gdmft;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void bench_map(const char* label, const ModelParams& p, std::size_t n, std::size_t paths, int reps) {
    const SiteGrid g = SiteGrid::make(n, 0.05, 3 * n, 0.2);  // lag products every 0.2 tau_h, as the solver
    SingleSiteSampler smp(p, g, paths, 1);
    SiteFields f;
    f.eta_dyn.resize(n);
    f.z_dyn.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double t = 0.05 * k;
        f.eta_dyn[k] = 2.0 / std::cosh(t / 6.0);
        f.z_dyn[k] = 0.5 / std::cosh(t / 6.0);
    }
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

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    ModelParams scs;
    scs.g_h = 4.0;  // g_eff = g_h sigma_r(0) = 2
    ModelParams gated = scs;
    gated.alpha_z = 5.0;
    bench_map("map, alpha_z = 0", scs, 2001, 4000, quick ? 1 : 3);
    bench_map("map, alpha_z = 5", gated, 2001, 4000, quick ? 1 : 3);
    if (quick) return 0;

    Progress::set_quiet(true);
    const double exact = 1.924805;  // THEORY.md 8, SCS Delta0 at g_eff = 2
    for (int paths : {4000, 2000}) {  // the default, and half of it (error ~0.4%)
        StationaryOptions o;          // defaults otherwise: 4 random sets, dt 0.05, automatic window
        o.paths = paths;
        const double t0 = now();
        const StationaryResult r = solve_sampled(scs, o);
        const double el = now() - t0;
        std::printf("solve (SCS g_eff = 2, %d paths): %.1f s, converged %d, %d iterations, C_h0 = %.5f +- %.5f "
                    "(%.2f%% of C_h0), exact %.6f, deviation %.2f standard errors\n",
                    paths, el, r.converged, r.iterations, r.C_h0, r.stat_err, 100 * r.stat_err / r.C_h0, exact,
                    (r.C_h0 - exact) / r.stat_err);
    }
    return 0;
}
