// Cost of exact backpropagation through time (validation/backprop) per RK4 step: the forward window
// step, the backward step (recomputation of the segment, four transposed stage products for all readouts
// and the rank-k gradient updates), their ratio, and the memory-bandwidth figure of a forward step
// (coupling bytes streamed per step / measured time). Per-step costs are marginal: the difference of two
// windows (steps and 5 x steps) divided by the extra steps, so the fixed cost of a call (allocating and
// zeroing the gradient accumulators, 3 N^2 doubles per readout) is printed apart. Best of 3 runs.
// Prints figures; asserts nothing.
//
//   bench_backprop [steps] [readouts] [N ...]      (default 16 steps, 4 readouts, N = 1000 2000)
#include "validation/backprop.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace gdmft;
using namespace gdmft::sim;

int main(int argc, char** argv) {
    const int steps = argc > 1 ? std::atoi(argv[1]) : 16;
    const int R = argc > 2 ? std::atoi(argv[2]) : 4;
    std::vector<std::size_t> sizes;
    for (int i = 3; i < argc; ++i) sizes.push_back(static_cast<std::size_t>(std::atoll(argv[i])));
    if (sizes.empty()) sizes = {1000, 2000};

    // Gated network with dynamic gates: state h | z | r, couplings Jh, Jz, Jr (all three differentiated).
    ModelParams p;
    p.g_h = 3.0, p.alpha_z = 2.0, p.alpha_r = 2.0, p.tau_z = 1.0, p.tau_r = 1.0;
    std::printf("# threads %d, windows of %d and %d RK4 steps of dt = 0.05, %d readouts, dynamic z and r gates "
                "(Jh, Jz, Jr)\n", omp_get_max_threads(), steps, 5 * steps, R);
    std::printf("%6s %12s %12s %8s %12s %12s %14s %6s\n", "N", "fwd_ms/step", "bwd_ms/step", "bwd/fwd", "fwd_GB/s",
                "bwd_fixed_ms", "plan_bytes", "K");
    for (std::size_t N : sizes) {
        NetworkOptions no;
        no.N = N, no.seed = 3;
        const Network net(p, no);
        const Eigen::Index n = static_cast<Eigen::Index>(N);
        Eigen::MatrixXd W(n, R);
        NormalStream rng(17);
        for (Eigen::Index c = 0; c < R; ++c)
            for (Eigen::Index i = 0; i < n; ++i) W(i, c) = rng.normal();
        const Eigen::VectorXd x = net.initial_state(0);
        auto window = [&](int S) {
            AdjointWindow w;
            w.dt = 0.05, w.horizon = S * w.dt, w.profile_spacing = w.dt;
            return w;
        };
        network_gradient(net, x, W, window(4));  // warm-up
        double f1 = 1e30, f2 = 1e30, b1 = 1e30, b2 = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
            const NetworkGradient g1 = network_gradient(net, x, W, window(steps));
            const NetworkGradient g2 = network_gradient(net, x, W, window(5 * steps));
            f1 = std::min(f1, g1.seconds_forward), b1 = std::min(b1, g1.seconds_backward);
            f2 = std::min(f2, g2.seconds_forward), b2 = std::min(b2, g2.seconds_backward);
        }
        const double extra = 4.0 * steps;
        const double fwd = (f2 - f1) / extra, bwd = (b2 - b1) / extra, fixed = b1 - steps * bwd;
        const MemoryPlan plan = plan_memory(p, N, false, R, window(5 * steps));
        // A forward step evaluates F four times; each evaluation streams Jh and [Jz; Jr] once.
        const double bytes = 4.0 * static_cast<double>(net.bytes_per_rhs());
        std::printf("%6zu %12.3f %12.3f %8.2f %12.2f %12.1f %14.0f %6zu\n", N, 1e3 * fwd, 1e3 * bwd, bwd / fwd,
                    bytes / fwd / 1e9, 1e3 * fixed, plan.total_bytes, plan.checkpoint_interval);
    }
    return 0;
}
