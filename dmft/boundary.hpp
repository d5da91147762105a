#pragma once
// Transition lines in two parameters by continuation (THEORY.md section 6): for each value x of the
// range parameter, the transition values of y (zero instability, fixed-point fold, chaos onset;
// dmft/transitions.hpp), each fold search warm-started at the previous x's fold variance. From the
// traced curves, the thresholds where the transitions change order: the fixed-point fold leaves
// D = 0 (dy/dD at D -> 0+ changes sign) and the chaotic branch turns discontinuous (dy/dc0 at c0 -> 0+
// changes sign), each located by Brent in x between the traced points where the curve changes kind.
#include "dmft/model.hpp"
#include "dmft/parameter_axis.hpp"
#include "dmft/transitions.hpp"
#include "numerics/progress.hpp"

#include <string>
#include <vector>

namespace gdmft {

struct BoundaryOptions {
    double y_min = 1e-3, y_max = 20;  // bracket of y for the Brent solves (closed forms in g_h ignore it)
    bool chaos = true;                // trace the chaos onset (unsupported models: skipped, see message)
    bool thresholds = true;
    const Observer* observer = nullptr;
};

struct Threshold {
    bool found = false;
    double x = transitions_detail::NaN;
    std::string message;
};

struct BoundaryResult {
    std::string x_name, y_name;
    std::vector<double> x;                   // the range points
    std::vector<double> zero_unstable;       // y at G = 1 of the lowest fixed point (NaN: none)
    std::vector<double> fixed_point_fold;    // g_fp
    std::vector<double> D_fold;              // 0: continuous
    std::vector<double> chaos_onset;         // g_chaos
    std::vector<double> c0_onset;            // C_h0 at the onset (0: continuous)
    std::vector<int> chaos_discontinuous;
    Threshold first_order_fixed_point;       // x where the fold leaves D = 0
    Threshold discontinuous_chaos;           // x where the chaotic onset turns discontinuous
    std::string chaos_message;               // why chaos_onset is empty, if it is
    double seconds = 0;
};

BoundaryResult trace_boundary(const ModelParams& m, const ParameterAxis& x, const std::string& y_name,
                              const BoundaryOptions& o = {});

}  // namespace gdmft
