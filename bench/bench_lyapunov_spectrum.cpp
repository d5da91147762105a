// The leading K Lyapunov exponents of a finite-N network (validation/lyapunov, `gdmft simulate
// --lyapunov-k K`): wall time of a whole run, exponents per second, and where the time goes (one
// right-hand side with 1 + K columns, its coupling product alone, one QR re-orthonormalisation).
// Target (issue 4): K = 32, N = 1000, t = 500 in under 2 minutes on 2 cores. Prints figures; asserts
// nothing. Models: the default network (g_h = 3, SCS limit, state h only) and a gated one (g_h = 3,
// alpha_z = alpha_r = 2, tau_z = tau_r = 1: state h, z, r and the stacked [Jz; Jr] product).
//
//   bench_lyapunov_spectrum [N [K [t_max [dt [which]]]]]   defaults 1000 32 500 0.05 both
//   which: scs, gated or both; t_burn = t_max / 5, QR every time unit, 10 blocks.
#include "validation/lyapunov.hpp"
#include "validation/network.hpp"
#include "validation/simulation.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec) + double(u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_stime.tv_usec);
}

template <class F>
double best_of(int reps, F&& f) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const double t0 = now();
        f();
        best = std::min(best, now() - t0);
    }
    return best;
}

void parts(const char* name, const ModelParams& p, std::size_t N, int K) {
    Network net(p, {N, 7, false, false});
    const Eigen::Index dim = static_cast<Eigen::Index>(net.dim());
    Eigen::MatrixXd X(dim, 1 + K), dX;
    X.col(0) = net.initial_state(0);
    X.rightCols(K) = random_orthonormal(dim, K, 11);
    const Columns cols{1, K};
    net.rhs(X, dX, cols);  // warm-up
    const double t_rhs = best_of(9, [&] { net.rhs(X, dX, cols); });
    Eigen::MatrixXd P = Eigen::MatrixXd::Random(static_cast<Eigen::Index>(N), 1 + K), Y;
    net.Jh().multiply(P, Y);
    const double t_mul = best_of(9, [&] { net.Jh().multiply(P, Y); });
    const double t_mulg = net.Jgates().empty() ? 0.0 : best_of(9, [&] { net.Jgates().multiply(P, Y); });
    LyapunovQR qr(K, 0, 1, 2);
    Eigen::MatrixXd V = X.rightCols(K);
    const double t_qr = best_of(9, [&] {
        V += 1e-3 * Eigen::MatrixXd::Ones(dim, K);
        qr.renormalize(V, 0, 0.5);
    });
    const double flops = 2.0 * double(N) * double(N) * double(1 + K);
    std::printf("%s: dim %ld, %d columns: rhs %.2f ms (Jh product %.2f ms = %.1f GFLOP/s%s), QR %.2f ms\n", name,
                static_cast<long>(dim), 1 + K, 1e3 * t_rhs, 1e3 * t_mul, flops / t_mul * 1e-9,
                net.Jgates().empty() ? "" : (", [Jz;Jr] product " + std::to_string(1e3 * t_mulg).substr(0, 5) + " ms").c_str(),
                1e3 * t_qr);
}

void whole(const char* name, const ModelParams& p, std::size_t N, int K, double t_max, double dt) {
    SimulationOptions o;
    o.N = N;
    o.seed = 3;
    o.t_max = t_max;
    o.t_burn = t_max / 5;
    o.integrator.dt = dt;
    o.lyapunov_k = K;
    o.renorm_interval = 1.0;
    o.lyapunov_blocks = 10;
    o.record_mb = 64;
    const double c0 = cpu_seconds(), w0 = now();
    const SimulationResult r = simulate(p, o);
    const double wall = now() - w0, cpu = cpu_seconds() - c0;
    std::printf("%s: N %zu, K %d, t %.0f (burn %.0f), dt %.3g, %zu steps: wall %.1f s (%s 2 min), CPU %.1f s, "
                "%.3f exponents/s, %.1f ms/step\n",
                name, N, K, t_max, o.t_burn, dt, r.runs[0].steps, wall, wall < 120 ? "under" : "OVER", cpu, K / wall,
                1e3 * wall / double(r.runs[0].steps));
    std::printf("  lambda_1..4 = %.4f %.4f %.4f %.4f (+- %.4f), lambda_%d = %.4f, Kaplan-Yorke %.2f, PR %.2f\n",
                r.lyapunov[0], r.lyapunov[1], r.lyapunov[2], r.lyapunov[3], r.lyapunov_stderr[0], K,
                r.lyapunov[static_cast<std::size_t>(K - 1)], r.kaplan_yorke, r.participation_ratio.mean);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t N = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
    const int K = argc > 2 ? std::atoi(argv[2]) : 32;
    const double t_max = argc > 3 ? std::atof(argv[3]) : 500;
    const double dt = argc > 4 ? std::atof(argv[4]) : 0.05;
    const std::string which = argc > 5 ? argv[5] : "both";
    std::printf("bench_lyapunov_spectrum: %d OpenMP threads\n", omp_get_max_threads());
    ModelParams scs;  // defaults: g_h = 3, gates constant (g_eff = 1.5)
    ModelParams gated;
    gated.alpha_z = 2, gated.alpha_r = 2, gated.tau_z = 1, gated.tau_r = 1;
    if (which != "gated") parts("default (SCS) ", scs, N, K);
    if (which != "scs") parts("gated         ", gated, N, K);
    if (which != "gated") whole("default (SCS) ", scs, N, K, t_max, dt);
    if (which != "scs") whole("gated         ", gated, N, K, t_max, dt);
    return 0;
}
