// Time of the annealed complexity (target: a 100-point Sigma curve under 10 s, SCS and gated) and of counting the
// fixed points of one network (target: N = 40 at g_eff = 3 to saturation in under a minute). Prints both.
#include "dmft/complexity_scan.hpp"
#include "validation/fixed_point_count.hpp"

#include <chrono>
#include <cstdio>

using namespace gdmft;

int main() {
    ModelParams m;  // beta_r = 0: g_eff = g_h / 2
    const ParameterAxis axis = parse_axis("scan", "g_h:0.5:10", false);
    auto t0 = std::chrono::steady_clock::now();
    const ComplexityScan s = complexity_scan(m, axis, 100);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("complexity curve, 100 points, g_eff 0.25..5: %.3f s (onset %.10g, converged %d)\n", dt,
                s.onset.value_or(-1), s.converged);
    ModelParams gated = m;
    gated.alpha_r = 10;
    t0 = std::chrono::steady_clock::now();
    const ComplexityScan sg = complexity_scan(gated, parse_axis("scan", "g_h:1:6", false), 100);
    dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("gated complexity curve (alpha_r = 10), 100 points, g_h 1..6: %.3f s (onset %.10g, branch end %.6g, "
                "converged %d)\n", dt, sg.onset.value_or(-1), sg.branch_end.value_or(-1), sg.converged);
    for (std::size_t N : {20u, 30u, 40u}) {
        m.g_h = 6;  // g_eff = 3
        sim::CountOptions o;
        o.N = N;
        o.networks = 1;
        t0 = std::chrono::steady_clock::now();
        const auto c = sim::count_fixed_points(m, o);
        dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("count one network N = %zu, g_eff = 3: %.3f s, %zu roots, saturated %d\n", N, dt,
                    c.networks[0].roots.size(), c.saturated);
    }
    gated.g_h = 3;
    sim::CountOptions o;
    o.N = 30;
    o.networks = 1;
    t0 = std::chrono::steady_clock::now();
    const auto c = sim::count_fixed_points(gated, o);
    dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("count one gated network N = 30, alpha_r = 10, g_h = 3: %.3f s, %zu roots, saturated %d\n", dt,
                c.networks[0].roots.size(), c.saturated);
}
