#pragma once
// The two branches whose ends are the transitions of THEORY.md section 6, each parametrized by its own
// variance so that a fold is an extremum of a smooth function instead of a place where a root vanishes:
//
//   fixed-point branch:  for each Delta_h = D > 0, the parameter value p(D) with U(D; p) = D
//                        (U = fixed_point_map, dmft/fixed_points.hpp);
//   chaotic branch:      for each c0 = C_h(0) > 0, the parameter value p(c0) with E(c0; p) = 0
//                        (E = the tau_r = 0 energy condition, closure::energy_point).
//
// Along U(D; p(D)) = D, dp/dD = (1 - dU/dD) / (dU/dp): the saddle-node (dU/dD = 1) is where p(D) turns.
// Closed forms: for p = g_h, U = g_h^2 A(D) + s^2 with A = <sigma_r^2><phi^2> independent of g_h, so
// g_h(D) = sqrt((D - s^2) / A(D)); for p = input_std, s(D) = sqrt(D - g_h^2 A(D)). For p = g_h with
// mu = s = 0 the plateau of the chaotic solution is q = 0 and E = g_h^2 I(c0) - c0^2/2 with I independent
// of g_h, so g_h(c0) = c0 / sqrt(2 I(c0)). Any other parameter: Brent in p on the given bracket.
#include "dmft/model.hpp"

#include <limits>
#include <string>

namespace gdmft {

// A parameter bracket [lo, hi] for the Brent solves (closed forms ignore it).
struct ParamRange {
    std::string name;  // model key (underscore form)
    double lo = 0, hi = 0;
};

// p(D) on the fixed-point branch; NaN where no p in the bracket solves U(D; p) = D.
double fixed_point_branch(const ModelParams& m, const ParamRange& p, double D);
// dU/dD at (m, D), by Price's theorem: g_h^2 [<sigma_r^2> + g_r^2 <phi^2> <sigma_r'^2 + sigma_r sigma_r''>]
// <phi'^2 + phi phi''> (the fold residual is |dU/dD - 1| there).
double fixed_point_slope(const ModelParams& m, double D);

// One point of the chaotic branch.
struct ChaosBranchPoint {
    double p = std::numeric_limits<double>::quiet_NaN();  // NaN: no root in the bracket
    double q = std::numeric_limits<double>::quiet_NaN();  // plateau C_h(inf)
    bool valid = false;  // the energy condition's validity checks hold at (c0, p)
};
// The chaotic branch needs the tau_r = 0 particle picture: alpha_z = 0 and (tau_r = 0 or a constant r
// gate). Empty string when it applies, else the reason.
std::string chaos_branch_unsupported(const ModelParams& m, const std::string& name);
// `hint`: the parameter value of a nearby branch point (when following the branch); the root in p is
// searched near it first, so that the branch stays continuous (with inputs E(c0; p) can have roots of
// other branches, and is undefined where no plateau exists below c0). NaN: search the whole bracket.
ChaosBranchPoint chaos_branch(const ModelParams& m, const ParamRange& p, double c0, double tol = 1e-10,
                              double hint = std::numeric_limits<double>::quiet_NaN());

// The derivative dp/dx of a branch at x -> 0+ (x = D or c0), from p at x = d, 2d, 4d with the O(x^2)
// term removed (Richardson): a = [4 (p(2d) - p(d)) - (p(4d) - p(2d))] / (2d). Only for mu = s = 0,
// where both branches start at x = 0. d defaults to 1e-4 / max(1, (alpha_r g_r)^2) (below the gate's
// own variance scale). Its sign change in a second parameter is where a transition turns first order.
double fixed_point_slope_at_zero(const ModelParams& m, const ParamRange& p, double d = 0);
double chaos_slope_at_zero(const ModelParams& m, const ParamRange& p, double d = 0);

}  // namespace gdmft
