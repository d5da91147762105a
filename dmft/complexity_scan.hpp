#pragma once
// The annealed complexity along one model parameter (`gdmft complexity --scan NAME:MIN:MAX`), and the onset
// where Sigma turns positive. Sigma ~ (g - 1)^3 is flat at the onset, so the onset is not located from Sigma's
// size but from the variational problem's bifurcation: the nontrivial maximum of the profile G(q) branches off
// q = 0 where complexity_bifurcation (g_eff^2 - 1) changes sign (docs/complexity.md), found by Brent.
#include "dmft/complexity.hpp"
#include "dmft/parameter_axis.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gdmft {

struct ComplexityScanRow {
    double value = 0;  // the scanned parameter
    ComplexityResult result;
};

struct ComplexityScan {
    ParameterAxis axis;
    std::vector<ComplexityScanRow> rows;
    std::optional<double> onset;  // none in the range: nullopt
    std::string onset_message;
    bool converged = true;        // every row converged
    double seconds = 0;
};

// points >= 2 rows on the uniform grid of [axis.min, axis.max].
ComplexityScan complexity_scan(const ModelParams& model, const ParameterAxis& axis, int points,
                               const ComplexityOptions& opts = {});

}  // namespace gdmft
