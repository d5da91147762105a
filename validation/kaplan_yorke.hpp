#pragma once
// The Kaplan-Yorke dimension of a simulation's Lyapunov spectrum, with its error bar: the standard error
// over realizations, or with one realization over its time blocks (the dimension of each block's
// spectrum).
#include "validation/simulation.hpp"

#include <cmath>
#include <vector>

namespace gdmft::sim {

struct KaplanYorke {
    double value = NAN, stderr_ = NAN;
    // Every partial sum of the K exponents is non-negative, so the dimension is above K (more exponents
    // needed): value is then NaN and K is only a lower bound.
    bool exceeds_k = false;
    std::vector<double> per_realization, per_realization_stderr;  // the latter over time blocks
};

// NaN value and error when the run computed no exponents.
KaplanYorke kaplan_yorke(const SimulationResult& r);

}  // namespace gdmft::sim
