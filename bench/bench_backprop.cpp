// Cost of exact backpropagation through time (validation/backprop) per RK4 step: the forward window
// step, the backward step (recomputation of the segment, four transposed stage products for all readouts
// and the rank-k gradient updates), their ratio, and the memory-bandwidth figure of a forward step
// (coupling bytes streamed per step / measured time). Prints figures; asserts nothing.
//
//   bench_backprop [steps] [readouts] [N ...]      (default 200 steps, 4 readouts, N = 1000 2000)
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
    const int steps = argc > 1 ? std::atoi(argv[1]) : 200;
    const int R = argc > 2 ? std::atoi(argv[2]) : 4;
    std::vector<std::size_t> sizes;
    for (int i = 3; i < argc; ++i) sizes.push_back(static_cast<std::size_t>(std::atoll(argv[i])));
    if (sizes.empty()) sizes = {1000, 2000};

    // Gated network with dynamic gates: state h | z | r, couplings Jh, Jz, Jr (all three differentiated).
    ModelParams p;
    p.g_h = 3.0, p.alpha_z = 2.0, p.alpha_r = 2.0, p.tau_z = 1.0, p.tau_r = 1.0;
    std::printf("# threads %d, %d RK4 steps of dt = 0.05, %d readouts, dynamic z and r gates (Jh, Jz, Jr)\n",
                omp_get_max_threads(), steps, R);
    std::printf("%6s %12s %12s %8s %12s %12s %14s %12s\n", "N", "fwd_ms/step", "bwd_ms/step", "bwd/fwd",
                "fwd_GB/s", "bwd_GB/s", "plan_bytes", "K");
    for (std::size_t N : sizes) {
        NetworkOptions no;
        no.N = N, no.seed = 3;
        const Network net(p, no);
        const Eigen::Index n = static_cast<Eigen::Index>(N);
        Eigen::MatrixXd W(n, R);
        NormalStream rng(17);
        for (Eigen::Index c = 0; c < R; ++c)
            for (Eigen::Index i = 0; i < n; ++i) W(i, c) = rng.normal();
        Eigen::VectorXd x = net.initial_state(0);
        AdjointWindow w;
        w.dt = 0.05, w.horizon = steps * w.dt, w.profile_spacing = w.dt;
        network_gradient(net, x, W, AdjointWindow{w.dt * 8, w.dt, w.dt});  // warm-up
        double best_f = 1e30, best_b = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
            const NetworkGradient g = network_gradient(net, x, W, w);
            best_f = std::min(best_f, g.seconds_forward / steps);
            best_b = std::min(best_b, g.seconds_backward / steps);
        }
        const MemoryPlan plan = plan_memory(p, N, false, R, w);
        // A forward step evaluates F four times; each evaluation streams Jh and [Jz; Jr] once.
        const double bytes = 4.0 * static_cast<double>(net.bytes_per_rhs());
        // A backward step: the recomputation (4 evaluations) and 4 transposed products (J^T streamed again).
        std::printf("%6zu %12.3f %12.3f %8.2f %12.2f %12.2f %14.0f %12zu\n", N, 1e3 * best_f, 1e3 * best_b,
                    best_b / best_f, bytes / best_f / 1e9, 2 * bytes / best_b / 1e9, plan.total_bytes,
                    plan.checkpoint_interval);
    }
    return 0;
}
