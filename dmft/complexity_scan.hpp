#pragma once
// The annealed complexity along one model parameter (`gdmft complexity --scan NAME:MIN:MAX`), and the onset
// where Sigma turns positive. Sigma ~ (g - 1)^3 is flat at the onset, so the onset is not located from Sigma's
// size but from the variational problem's bifurcation: the nontrivial maximum of the profile G(q) branches off
// q = 0 where complexity_bifurcation (g_eff^2 - 1) changes sign (docs/complexity.md), found by Brent.
//
// Gated (alpha_r != 0 at some row): the rows are solved from the top of the range down, each warm-started from
// the one above (dmft/gated_complexity: gated_track), so the whole curve follows one nontrivial branch. The
// onset is where that branch's value S* crosses 0 (Brent on S*, evaluated by continuation from the nearest
// solved point), or where the branch ends while S* > 0: then Sigma jumps there (onset_discontinuous), unless
// the branch ends by merging with the trivial solution (q -> 0, a continuous onset as at alpha_r = 0). In both
// gated cases the fixed-point law jumps from x = 0 to q = onset_q > 0 (a first-order topological transition).
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
    bool onset_discontinuous = false;   // Sigma itself jumps at the onset (gated branch ending at S* > 0)
    std::optional<double> onset_q;      // gated: q = <phi^2> of the branch at the onset
    std::optional<double> branch_end;   // gated: where the followed branch ends inside the range
    std::string branch_end_reason;
    bool converged = true;        // every row converged
    double seconds = 0;
};

// points >= 2 rows on the uniform grid of [axis.min, axis.max].
ComplexityScan complexity_scan(const ModelParams& model, const ParameterAxis& axis, int points,
                               const ComplexityOptions& opts = {});

}  // namespace gdmft
