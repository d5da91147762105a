// Time of the Gaussian-closure solve (target: a default solve under 0.2 s). Prints the median of
// several runs for the default model, with --lyapunov, and for a few harder points.
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

void time_case(const std::string& name, const ModelParams& m, const StationaryOptions& o, int reps) {
    std::vector<double> t;
    StationaryResult r;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        r = solve_gaussian(m, o);
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    std::printf("%-44s median %7.3f s  (min %.3f, max %.3f)  C_h0 = %.8f  lags = %zu  converged = %d\n", name.c_str(),
                t[t.size() / 2], t.front(), t.back(), r.C_h0, r.tau.size(), r.converged);
}

}  // namespace

int main() {
    const int reps = 7;
    StationaryOptions o;
    time_case("default (g_h = 3, g_eff = 1.5)", ModelParams{}, o, reps);
    StationaryOptions ol = o;
    ol.lyapunov = true;
    time_case("default with --lyapunov", ModelParams{}, ol, reps);
    ModelParams gated;
    gated.alpha_r = 4;
    gated.tau_r = 0;
    time_case("gated point (alpha_r = 4, tau_r = 0)", gated, ol, reps);
    ModelParams dyn = gated;
    dyn.tau_r = 1;
    dyn.input_mean = 0.3;
    dyn.input_std = 0.4;
    time_case("dynamic r gate, tau_r = 1, inputs", dyn, o, reps);
    ModelParams strong;
    strong.g_h = 12;
    time_case("strong chaos (g_eff = 6)", strong, o, reps);
    return 0;
}
