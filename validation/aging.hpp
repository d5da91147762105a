#pragma once
// Finite-N ageing test (THEORY.md 3, "The slow regime"): networks started from the simulator's initial
// state (validation/network: h_i ~ N(0, 1), z = r = 0, no burn-in) are integrated once up to
// max(t_w) + max_lag; h(t_w) is kept at each waiting time and C_h(t_w + tau, t_w) (connected, over
// units) is measured at the lags of the grid, together with the equal-time variance C_h(t, t) against
// the time since the start. Network k has the seed derive_seed(seed, k) and trajectory m the initial
// state m, exactly as `simulate` draws realization k: the same seed gives the same networks.
// Times are rounded to whole RK4 steps (each value is read at the nearest step).
#include "dmft/aging_curves.hpp"
#include "dmft/model.hpp"
#include "numerics/progress.hpp"
#include "validation/integrator.hpp"

#include <cstdint>

namespace gdmft::sim {

struct AgingOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    std::size_t N = 1000;
    int networks = 4;        // independent realizations (errors over them)
    int trajectories = 1;    // trajectories per network, advanced together (averaged within a network;
                             // errors over trajectories when there is one network)
    std::uint64_t seed = 1;  // network k uses derive_seed(seed, k)
    bool single_precision = false;  // float couplings
    AgingGrid grid;          // waiting times and lags; max_lag < 0: max(t_w)
    IntegratorOptions integrator;   // RK4 step dt (times are multiples of it)

    // Throws BadInput naming the option (N, networks, trajectories, waiting_times, max_lag, aging_lags,
    // aging_min_lag, dt) and the rule.
    void validate() const;
    // max_lag, or its default max(t_w).
    double max_lag() const;
};

// Throws BadInput for bad options, NumericalFailure when a state becomes non-finite or leaves the bound
// of the exact dynamics.
AgingResult measure_aging(const ModelParams& p, const AgingOptions& o);

}  // namespace gdmft::sim
