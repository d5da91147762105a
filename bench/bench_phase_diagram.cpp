// Time of a Gaussian-closure (g_h, alpha_r) phase diagram at tau_r = 0 with labels, C_h0, lambda_max
// and G (target: 41 x 41 under 60 s on 2 cores), through the sweep engine as `gdmft phase` runs it.
// Usage: bench_phase_diagram [N [THREADS]]   (N x N grid, g_h in [1, 4], alpha_r in [0, 20]; default 41,
// threads 0 = all cores). Prints the wall time, the time per point and the label counts. For mpirun
// -np 2 against serial, see bench/bench_phase_mpi.sh.
#include "dmft/parameter_axis.hpp"
#include "dmft/phase_point.hpp"
#include "io/mpi_queue.hpp"
#include "io/sweep.hpp"
#include "io/text_csv.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

using namespace gdmft;

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 41;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
    const ParameterAxis x = parse_axis("x", "g_h:1:4:" + std::to_string(n), true);
    const ParameterAxis y = parse_axis("y", "alpha_r:0:20:" + std::to_string(n), true);
    ModelParams base;
    base.tau_r = 0;
    // One directory for every rank (rank 0 clears it first).
    const io::Ranks ranks = io::mpi_start();
    const auto dir = std::filesystem::temp_directory_path() / "gdmft_bench_phase";
    if (ranks.root()) std::filesystem::remove_all(dir);
    io::mpi_barrier(ranks);

    io::SweepOptions so;
    so.dir = dir.string();
    so.table = "phase";
    so.columns = {"x", "y", "phase", "C_h0", "lambda_max", "G"};
    so.manifest = {{"bench", "phase"}};
    so.threads = threads;
    const PhasePointOptions po;
    const auto point = [&](std::uint64_t idx, std::uint64_t) {
        const int i = static_cast<int>(idx % static_cast<std::uint64_t>(n)), j = static_cast<int>(idx / static_cast<std::uint64_t>(n));
        const PhasePoint p = classify_phase_point(with_parameter(with_parameter(base, "g_h", x.value(i)), "alpha_r", y.value(j)), po);
        return std::vector<std::string>{io::cell(x.value(i)), io::cell(y.value(j)), to_string(p.label), io::cell(p.C_h0),
                                        io::cell(p.lambda_max), io::cell(p.G)};
    };
    const io::SweepSummary s = io::run_sweep(static_cast<std::uint64_t>(n) * n, point, so);
    if (!s.root) return 0;
    std::map<std::string, int> counts;
    for (const auto& r : s.rows) ++counts[r[2]];
    std::printf("phase diagram %d x %d (g_h in [1, 4], alpha_r in [0, 20], tau_r = 0, Gaussian closure with lambda_max):\n", n, n);
    std::printf("  wall %.2f s on %d rank(s) x %d thread(s): %.1f ms per point per thread\n", s.seconds, s.ranks, s.threads,
                1e3 * s.seconds * s.ranks * s.threads / (double(n) * n));
    for (const auto& [label, k] : counts) std::printf("  %-10s %d\n", label.c_str(), k);
    std::filesystem::remove_all(dir);
    return 0;
}
