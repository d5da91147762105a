// Benchmark of the transient (two-time) DMFT against the time span resolved (prints, never asserts):
// the march from the network start at the ageing point g_h = 3, alpha_z = 5, tau_z = tau_r = 0, one
// random set of 2000 paths at dt 0.5, on the uniform grid (every pair of times: O(n^2 M)) and on the
// log grid (recent 32, 8 per octave: O(n m M), m ~ log n), for spans of 250 to 16000 tau_h. The uniform
// grid stops at 2000 tau_h (4000 rows, 1 GB). The log grid runs with its matched noise (the default)
// and with plain noise, to price the projection. Ratios are taken within this run.
//   bench_transient_grid [--quick]   (--quick: spans up to 1000)
#include "dmft/transient_dmft.hpp"

#include <chrono>
#include <cstdio>
#include <string>

using namespace gdmft;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double time_march(double span, TwoTimeGrid kind, std::size_t& memory_rows, bool match = true) {
    ModelParams p;
    p.g_h = 3;
    p.alpha_z = 5;
    p.tau_z = 0;
    p.tau_r = 0;
    TransientOptions o;
    o.start = TransientStart::Network;
    o.reference = false;
    o.grid.dt = 0.5;
    o.grid.t_burn = 1;
    o.grid.t_before = 0;
    o.grid.horizon = span - 1;
    o.grid.kind = kind;
    o.grid.match_moments = match;
    o.paths = 2000;
    o.random_sets = 1;
    const double t0 = now();
    const TransientResult r = solve_transient(p, GateDrive{}, o, nullptr);
    const double s = now() - t0;
    memory_rows = r.memory_rows;
    return r.converged ? s : -1.0;
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    const double max_span = quick ? 1000 : 16000;
    double uniform_prev = 0, log_prev = 0;
    for (double span = 250; span <= max_span; span *= 2) {
        std::size_t mu = 0, ml = 0;
        const double tu = span <= 2000 ? time_march(span, TwoTimeGrid::Uniform, mu) : -1.0;
        const double tl = time_march(span, TwoTimeGrid::Log, ml);
        const double tp = time_march(span, TwoTimeGrid::Log, ml, false);
        std::printf("span %6.0f tau_h (%6.0f rows):", span, span / 0.5);
        if (tu > 0)
            std::printf(" uniform %7.2f s (x%.2f per doubling)", tu, uniform_prev > 0 ? tu / uniform_prev : 0.0);
        else
            std::printf(" uniform        -                    ");
        std::printf(" | log %6.2f s, %3zu memory rows (x%.2f per doubling; plain noise %6.2f s, matched / plain %.2f)", tl, ml,
                    log_prev > 0 ? tl / log_prev : 0.0, tp, tl / tp);
        if (tu > 0) std::printf(" | uniform / log = %.1f", tu / tl);
        std::printf("\n");
        std::fflush(stdout);
        uniform_prev = tu;
        log_prev = tl;
    }
    return 0;
}
