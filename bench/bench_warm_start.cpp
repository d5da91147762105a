// Benchmark of warm starts for sweeps (prints, never asserts): a row of sampled solves along g_h at a
// fluctuating clock, each point solved cold (automatic window from scratch, path schedule from M/8) and
// warm (StationaryOptions::warm_start = the previous point's solution: its C_phi, plateau and window,
// schedule from M/2). Prints the wall time of both per point, the ratio, and the difference of C_h0 in
// units of the combined statistical error (the two solves use the same seed: they are different
// iterations of the same random numbers, so the difference measures the start's effect, not noise).
//   bench_warm_start [alpha_z=2] [paths=2000] [points=5] [g0=2.6] [dg=0.1] [verbose=0]
#include "dmft/solve.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

using namespace gdmft;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::map<std::string, double> parse(int argc, char** argv) {
    std::map<std::string, double> kv{{"alpha_z", 2}, {"paths", 2000}, {"points", 5}, {"g0", 2.6}, {"dg", 0.1}, {"verbose", 0}};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (eq == std::string::npos || !kv.count(a.substr(0, eq))) {
            std::fprintf(stderr, "usage: bench_warm_start [alpha_z=2] [paths=2000] [points=5] [g0=2.6] [dg=0.1] [verbose=0]\n");
            std::exit(2);
        }
        kv[a.substr(0, eq)] = std::atof(a.substr(eq + 1).c_str());
    }
    return kv;
}

}  // namespace

int main(int argc, char** argv) {
    const auto kv = parse(argc, argv);
    ModelParams p;
    p.alpha_z = kv.at("alpha_z");
    StationaryOptions o;
    o.method = Method::Sampled;
    o.paths = static_cast<int>(kv.at("paths"));
    StderrObserver log;
    if (kv.at("verbose") != 0) o.observer = &log;
    std::printf("warm starts along g_h at alpha_z = %g, %d paths x %d sets\n", p.alpha_z, o.paths, o.random_sets);
    std::printf("%6s %9s %9s %7s %10s %10s %9s %6s %6s\n", "g_h", "cold s", "warm s", "ratio", "C_h0 cold", "C_h0 warm",
                "diff/err", "it c", "it w");
    std::shared_ptr<const StationaryResult> prev;
    double total_cold = 0, total_warm = 0;
    for (int i = 0; i < static_cast<int>(kv.at("points")); ++i) {
        p.g_h = kv.at("g0") + kv.at("dg") * i;
        double t0 = now();
        const StationaryResult cold = solve_stationary(p, o);
        const double tc = now() - t0;
        double tw = NAN;
        StationaryResult warm;
        if (prev) {
            StationaryOptions ow = o;
            ow.warm_start = prev;
            t0 = now();
            warm = solve_stationary(p, ow);
            tw = now() - t0;
            total_cold += tc;
            total_warm += tw;
        }
        const double err = std::hypot(cold.stat_err, warm.stat_err);
        std::printf("%6.3f %9.2f %9.2f %7.2f %10.5f %10.5f %9.2f %6d %6d%s\n", p.g_h, tc, tw, tw / tc, cold.C_h0,
                    prev ? warm.C_h0 : NAN, prev ? (warm.C_h0 - cold.C_h0) / err : NAN, cold.iterations,
                    prev ? warm.iterations : 0, cold.converged && (!prev || warm.converged) ? "" : "  (not converged)");
        prev = std::make_shared<const StationaryResult>(prev ? warm : cold);
    }
    std::printf("points 2..: cold %.2f s, warm %.2f s, warm/cold %.2f\n", total_cold, total_warm, total_warm / total_cold);
    return 0;
}
