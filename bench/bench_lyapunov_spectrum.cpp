// The leading K Lyapunov exponents of a finite-N network (validation/lyapunov, `gdmft simulate
// --lyapunov-k K`): wall time of a whole run, exponents per second, and where the time goes (one
// right-hand side with 1 + K columns, its coupling product alone, one QR re-orthonormalisation).
// Target (issue 4): K = 32, N = 1000, t = 500 in under 2 minutes on 2 cores. Prints figures; asserts
// nothing. Models: the default network (g_h = 3, SCS limit, state h only) and a gated one (g_h = 3,
// alpha_z = alpha_r = 2, tau_z = tau_r = 1: state h, z, r and the stacked [Jz; Jr] product).
//
//   bench_lyapunov_spectrum [N [K [t_max [dt [which [precision]]]]]]   defaults 1000 32 500 0.05 both both
//   which: scs, gated or both; precision (of the couplings, simulate --float32): double, float or both;
//   t_max = 0 times the parts only. t_burn = t_max / 5, QR every time unit, 10 blocks, seed 3.
#include "validation/coupling_panels.hpp"
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
    const Network net(p, {N, 7, false, false}), netf(p, {N, 7, true, false}), netfd(p, {N, 7, true, false, false});
    const Eigen::Index dim = static_cast<Eigen::Index>(net.dim());
    Eigen::MatrixXd X(dim, 1 + K), dX;
    X.col(0) = net.initial_state(0);
    X.rightCols(K) = random_orthonormal(dim, K, 11);
    const Columns cols{1, K};
    double t_rhs[3];
    for (int v = 0; v < 3; ++v) {
        const Network& n = v == 0 ? net : v == 1 ? netf : netfd;
        n.rhs(X, dX, cols);  // warm-up (builds the panels)
        t_rhs[v] = best_of(9, [&] { n.rhs(X, dX, cols); });
    }
    LyapunovQR qr(K, 0, 1, 2);
    Eigen::MatrixXd V = X.rightCols(K);
    const double t_qr = best_of(9, [&] {
        V += 1e-3 * Eigen::MatrixXd::Ones(dim, K);
        qr.renormalize(V, 0, 0.5);
    });
    std::printf("%s: dim %ld, %d columns: rhs %.2f ms (double couplings), %.2f ms (float couplings, float tangent "
                "sums), %.2f ms (float couplings, double sums); QR %.2f ms\n",
                name, static_cast<long>(dim), 1 + K, 1e3 * t_rhs[0], 1e3 * t_rhs[1], 1e3 * t_rhs[2], 1e3 * t_qr);
    // Coupling products on 1 + K columns: the general kernel (CouplingMatrix::multiply: Eigen's GEMM in
    // double, the tiled kernel in float) against the pre-packed panels (coupling_panels.hpp), with double
    // couplings and with float couplings (double or float sums).
    Eigen::MatrixXd P = Eigen::MatrixXd::Random(static_cast<Eigen::Index>(N), 1 + K), Y, Yp;
    struct Case { const char* what; const CouplingMatrix* J; bool single; };
    for (const Case& c : {Case{"Jh, double ", &net.Jh(), false}, Case{"Jh, float  ", &netf.Jh(), false},
                          Case{"Jh, float  ", &netf.Jh(), true}, Case{"Jg, double ", &net.Jgates(), false},
                          Case{"Jg, float  ", &netf.Jgates(), false}, Case{"Jg, float  ", &netf.Jgates(), true}}) {
        if (c.J->empty()) continue;
        const double flops = 2.0 * double(c.J->rows()) * double(N) * double(1 + K);
        c.J->multiply(P, Y);
        const double t_gen = best_of(9, [&] { c.J->multiply(P, Y); });
        const CouplingPanels panels(*c.J);
        const double t_pan = best_of(9, [&] { panels.multiply(P, Yp, c.single ? 0 : -1); });
        std::printf("  %s (%zu x %zu) x %d: general %.2f ms (%.1f GFLOP/s), panels %s sums %.2f ms (%.1f GFLOP/s, "
                    "ratio %.2f, max rel diff %.1e)\n",
                    c.what, c.J->rows(), c.J->cols(), 1 + K, 1e3 * t_gen, flops / t_gen * 1e-9,
                    c.single ? "float " : "double", 1e3 * t_pan, flops / t_pan * 1e-9, t_gen / t_pan,
                    (Yp - Y).cwiseAbs().maxCoeff() / Y.cwiseAbs().maxCoeff());
    }
}

void whole(const char* name, const ModelParams& p, std::size_t N, int K, double t_max, double dt, bool single) {
    SimulationOptions o;
    o.single_precision = single;
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
    std::printf("%s: %s couplings, N %zu, K %d, t %.0f (burn %.0f), dt %.3g, %zu steps: wall %.1f s (%s 2 min), "
                "CPU %.1f s, %.3f exponents/s, %.1f ms/step\n",
                name, single ? "float " : "double", N, K, t_max, o.t_burn, dt, r.runs[0].steps, wall,
                wall < 120 ? "under" : "OVER", cpu, K / wall, 1e3 * wall / double(r.runs[0].steps));
    std::printf("  lambda_1..4 = %.4f %.4f %.4f %.4f (+- %.4f), lambda_%d = %.4f, Kaplan-Yorke %.2f, PR %.2f\n",
                r.lyapunov[0], r.lyapunov[1], r.lyapunov[2], r.lyapunov[3], r.lyapunov_stderr[0], K,
                r.lyapunov[static_cast<std::size_t>(K - 1)], r.kaplan_yorke, r.participation_ratio.mean);
    std::printf("  exponents:");
    for (double x : r.lyapunov) std::printf(" %.5f", x);
    std::printf("\n  stderr:   ");
    for (double x : r.lyapunov_stderr) std::printf(" %.5f", x);
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t N = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
    const int K = argc > 2 ? std::atoi(argv[2]) : 32;
    const double t_max = argc > 3 ? std::atof(argv[3]) : 500;
    const double dt = argc > 4 ? std::atof(argv[4]) : 0.05;
    const std::string which = argc > 5 ? argv[5] : "both";
    const std::string precision = argc > 6 ? argv[6] : "both";
    std::printf("bench_lyapunov_spectrum: %d OpenMP threads\n", omp_get_max_threads());
    ModelParams scs;  // defaults: g_h = 3, gates constant (g_eff = 1.5)
    ModelParams gated;
    gated.alpha_z = 2, gated.alpha_r = 2, gated.tau_z = 1, gated.tau_r = 1;
    if (which != "gated") parts("default (SCS) ", scs, N, K);
    if (which != "scs") parts("gated         ", gated, N, K);
    for (bool single : {false, true}) {
        if (t_max <= 0 || precision == (single ? "double" : "float")) continue;
        if (which != "gated") whole("default (SCS) ", scs, N, K, t_max, dt, single);
        if (which != "scs") whole("gated         ", gated, N, K, t_max, dt, single);
    }
    return 0;
}
