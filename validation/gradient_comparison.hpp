#pragma once
// The adjoint DMFT against exact finite-N backpropagation at one validation point (`gdmft validate
// --gradient`; docs/gradient.md section 5): rows "gradient_growth" (the growth rate of |a_h|^2/N over the
// late half of the window; the DMFT by its plain slope over the same window) and "grad_norm_Jh" per size,
// with errors over networks. Needs the closure route: alpha_z = 0 and a chaotic Gaussian-closure result,
// or a stable fixed point when the point has no chaos (other points give no rows, with the reason).
#include "validation/comparison.hpp"

#include <string>
#include <vector>

namespace gdmft::sim {

struct GradientComparisonSettings {
    double horizon = 20, dt = 0.05, burn_in = 100;
    int readouts = 4;
};

// Appends the rows of point `pc` (its theory solved by run_validation) for every size of `s`, with
// s.realizations networks each; returns "" or the reason there are none.
std::string compare_gradients(const PointComparison& pc, const ValidationSettings& s,
                              const GradientComparisonSettings& g, std::vector<ComparisonRow>& rows);

}  // namespace gdmft::sim
