// Cost of the closure route of the adjoint DMFT against the horizon it resolves: the two-time march is
// O(M^2) in time and memory (M = T/dt), plus O(M^2 x nodes) with a spread clock at a fixed point. Prints
// seconds per horizon and the ratio to the shortest; the stationary solve is excluded (done once).
#include "dmft/adjoint.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/stationary.hpp"

#include <chrono>
#include <cstdio>

using namespace gdmft;

namespace {

template <class F>
double seconds(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main() {
    ModelParams p;
    p.alpha_r = 4;
    p.tau_r = 1;  // a dynamic r gate: two coupled two-time fields
    const StationaryResult c = solve_gaussian(p, StationaryOptions{});
    std::printf("chaotic state, g_h 3, alpha_r 4, tau_r 1, dt 0.1\n  %8s %8s %10s %8s %12s\n", "T", "M", "seconds",
                "ratio", "growth");
    double base = 0;
    for (double T : {50.0, 100.0, 200.0, 400.0}) {
        AdjointOptions o;
        o.horizon = T;
        o.reference = false;
        AdjointResult r;
        const double s = seconds([&] { r = adjoint_closure(p, c, o); });
        if (base == 0) base = s;
        std::printf("  %8g %8zu %10.3f %8.2f %12.6g\n", T, r.grid_points - 1, s, s / base, r.growth_rate);
    }
    ModelParams q;
    q.g_h = 1.5, q.alpha_r = 2, q.tau_r = 0.5, q.input_std = 0.5;
    std::printf("stable fixed point, g_h 1.5, alpha_r 2, input_std 0.5, T 100, dt 0.1\n  %8s %8s %10s %12s\n",
                "alpha_z", "nodes?", "seconds", "growth");
    for (double az : {0.0, 5.0, 15.0}) {
        q.alpha_z = az;
        const auto b = fixed_points(q);
        const FixedPointBranch* st = nullptr;
        for (const auto& x : b)
            if (x.stable) st = &x;
        if (!st) continue;
        AdjointOptions o;
        AdjointResult r;
        const double s = seconds([&] { r = adjoint_fixed_point(q, st->Delta_h, st->Delta_r, o); });
        std::printf("  %8g %8s %10.3f %12.6g\n", az, az == 0 ? "1" : "many", s, r.growth_rate);
    }
}
