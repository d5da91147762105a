#pragma once
// The finite-N pulse response (validation/pulse_response.hpp) against the stationary DMFT response
// kernel R(tau) (THEORY.md 2 and 6): both on the readout grid, over the range where the DMFT has values.
#include "dmft/stationary.hpp"
#include "validation/pulse_response.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace gdmft::sim {

struct ResponseComparison {
    bool done = false;           // a DMFT solution was compared
    std::vector<double> R;       // DMFT R on the readout grid, NaN beyond its lag window
    std::size_t n = 0;           // grid points with a DMFT value (a prefix of the grid)
    double tau_sim = NAN;        // mean response time of the simulation (over the common range, if any)
    double tau_dmft = NAN;       // the DMFT's over the same range
    double rel_l2 = NAN;         // relative L2 distance of the two curves over the common range
    // The first readout time where the direction noise (noise_floor) exceeds a third of the signal (the
    // DMFT R where compared, else |m|): beyond it the readout no longer resolves the kernel. NaN: never.
    double t_noise = NAN;
};

// `dmft` may be null (no comparison: only tau_sim and t_noise).
ResponseComparison compare_response(const PulseResult& r, const StationaryResult* dmft);

// The grid index of the scalar readout at time `at` (< 0: the horizon, the last sample).
std::size_t readout_index(const PulseResult& r, double at);

}  // namespace gdmft::sim
