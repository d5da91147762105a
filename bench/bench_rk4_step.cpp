// Time per RK4 step of the finite-N network against the memory-bandwidth bound: one step evaluates the
// right-hand side four times and each evaluation streams the coupling matrices once, so no step can be
// faster than 4 x (coupling bytes) / (read bandwidth). The bandwidth is measured in the same run by
// streaming a buffer of the same size with the same threads. Prints figures; asserts nothing.
//
//   bench_rk4_step [N ...]        (default 1000 2000 4000)
#include "validation/integrator.hpp"
#include "validation/network.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

constexpr int kReps = 9;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Best-of-`reps` seconds to read `bytes` once with all threads, each streaming a contiguous share
// (vectorised sums with independent accumulators, so the loop is limited by memory, not by latency).
double stream_read_seconds(std::size_t bytes, int reps) {
    const std::size_t n = bytes / sizeof(double);
    std::vector<double> buf(n);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) buf[i] = 1e-3 * static_cast<double>(i % 97);
    double best = 1e30, sink = 0;
    for (int r = 0; r < reps; ++r) {
        const double t0 = now();
        double s = 0;
#pragma omp parallel reduction(+ : s)
        {
            const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
            const std::size_t id = static_cast<std::size_t>(omp_get_thread_num());
            const std::size_t a = n * id / nt, b = n * (id + 1) / nt;
            s += Eigen::Map<const Eigen::VectorXd>(buf.data() + a, static_cast<Eigen::Index>(b - a)).sum();
        }
        best = std::min(best, now() - t0);
        sink += s;
    }
    if (sink == 42.0) std::printf(" ");  // keep the reads
    return best;
}

// Best-of-`reps` seconds per RK4 step for M trajectories.
double seconds_per_step(const Network& net, int M, int steps, int reps) {
    const Columns cols{M, 0};
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
    Eigen::MatrixXd X(net.dim(), M);
    for (int m = 0; m < M; ++m) X.col(m) = net.initial_state(m);
    Integrator integ({IntegratorKind::Rk4, 0.1});
    double t = 0;
    integ.advance(f, X, t, 0.2);  // warm-up (allocations, caches)
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const double t0 = now();
        integ.advance(f, X, t, t + 0.1 * steps);
        best = std::min(best, (now() - t0) / steps);
    }
    return best;
}

ModelParams gated() {
    ModelParams p;
    p.g_h = 3, p.alpha_z = 2, p.alpha_r = 2, p.tau_z = 1, p.tau_r = 1;  // Jh and the stacked [Jz; Jr]
    return p;
}
ModelParams scs() {
    ModelParams p;
    p.g_h = 4;  // alpha_z = alpha_r = 0: Jh only
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::size_t> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
    if (sizes.empty()) sizes = {1000, 2000, 4000};
    std::printf("threads: %d. Times are best of %d (the minimum filters out other load on shared cores). bound = 4 x coupling bytes / read bandwidth measured here;\n"
                "ratio = time per step / bound (1 = at the bandwidth limit); speedup = per-trajectory gain over\n"
                "M = 1 (trajectories) or over double storage (float32).\n", omp_get_max_threads(), kReps);
    std::printf("%-6s %-6s %-8s %3s %10s %10s %9s %7s %8s\n", "N", "case", "storage", "M", "ms/step", "ms/traj",
                "bound ms", "ratio", "speedup");
    for (std::size_t N : sizes) {
        // About 50 M multiply-adds per timing (0.1-0.3 s).
        const int steps = std::max(3, static_cast<int>(5e7 / (4.0 * N * N)));
        for (const auto& [name, p] : {std::pair{"gated", gated()}, std::pair{"scs", scs()}}) {
            const Network nd(p, {N, 1, false, false}), nf(p, {N, 1, true, false});
            const double bound_d = 4 * stream_read_seconds(nd.bytes_per_rhs(), 2 * kReps);
            const double bound_f = 4 * stream_read_seconds(nf.bytes_per_rhs(), 2 * kReps);
            const double s1 = seconds_per_step(nd, 1, steps, kReps);
            auto row = [&](const char* storage, int M, double s, double bound, double speedup) {
                std::printf("%-6zu %-6s %-8s %3d %10.3f %10.3f %9.3f %7.2f", N, name, storage, M, 1e3 * s, 1e3 * s / M,
                            1e3 * bound, s / bound);
                if (speedup > 0) std::printf(" %7.2fx", speedup);
                std::printf("\n");
            };
            row("double", 1, s1, bound_d, 0);
            for (int M : {4, 8}) {
                const double sM = seconds_per_step(nd, M, std::max(3, steps / 2), kReps);
                row("double", M, sM, bound_d, s1 * M / sM);
            }
            const double sf = seconds_per_step(nf, 1, steps, kReps);
            row("float32", 1, sf, bound_f, s1 / sf);
        }
    }
    return 0;
}
