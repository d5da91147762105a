#pragma once
// The transitions of THEORY.md section 6 along one parameter p (any model parameter; g_h usually):
//
//   zero_unstable  where the lowest fixed point (zero, or input-driven) loses stability, G = 1;
//   fixed-point    the saddle-node of D = U(D; p) (topological onset g_fp), found as the extremum of the
//   fold           branch p(D) (dmft/transition_branches.hpp), refined by Brent on dU/dD = 1;
//   chaos onset    the end of the chaotic branch p(c0) followed from large c0 downward (dynamical
//                  onset g_chaos): a fold (extremum of p(c0), Brent minimization), the loss of the
//                  energy condition's validity, or c0 -> 0 (continuous);
//
// and a scan table of the stationary solution and the fixed points along the range. The keys of the
// CLI keep the g_ prefix whatever the parameter (INTERFACE.md).
#include "dmft/model.hpp"
#include "dmft/parameter_axis.hpp"
#include "dmft/transition_branches.hpp"
#include "numerics/progress.hpp"

#include <limits>
#include <string>
#include <vector>

namespace gdmft {

namespace transitions_detail {
inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
}

// G = 1 on the lowest fixed-point branch. With mu = s = 0 the lowest branch is Delta_h = 0 and
// G0 = (g_h sigma_r(0))^2: closed forms for p = g_h (1 + e^{beta_r}) and p = beta_r (log(g_h - 1));
// every other parameter leaves G0 unchanged, so there is no crossing (value null, G0 reported). With
// inputs: G on the lowest root of U(D) = D along the range, sign change bracketed on `points` values
// and refined by Brent.
struct ZeroInstability {
    bool found = false;
    double value = transitions_detail::NaN;
    bool closed_form = false;
    double G_constant = transitions_detail::NaN;  // G0 when p does not enter it (mu = s = 0)
    std::string message;
};
ZeroInstability zero_instability(const ModelParams& m, const ParamRange& p, int points = 41);

// The saddle-node of the fixed-point equation (g_fp).
struct FixedPointFold {
    bool found = false;        // an onset inside [lo, hi]
    double value = transitions_detail::NaN;
    bool continuous = false;   // p(D) monotone down to D -> 0: onset at the zero instability, D_fold = 0
    double D_fold = transitions_detail::NaN;
    double residual = transitions_detail::NaN;      // |dU/dD - 1| at the fold (0 by definition if continuous)
    double map_residual = transitions_detail::NaN;  // |U(D_fold) - D_fold| / D_fold
    int branch_points = 0;     // points of p(D) evaluated
    std::string message;
};
// D_hint > 0: the fold of a nearby model (continuation): the branch is first searched on
// [D_hint / 8, 8 D_hint], then on the whole range.
FixedPointFold fixed_point_fold(const ModelParams& m, const ParamRange& p, double D_hint = 0);

// The end of the chaotic branch (g_chaos).
struct ChaosOnset {
    bool supported = true;     // false: see message (chaos_branch_unsupported)
    bool found = false;
    double value = transitions_detail::NaN;
    std::string end;           // "fold", "validity" (energy condition turns invalid), "continuous", ""
    bool discontinuous = false;  // the branch ends with C_h0 - q > 0 (a jump)
    double c0 = transitions_detail::NaN;   // C_h0 of the chaotic solution at the onset
    double q = transitions_detail::NaN;    // its plateau
    double slope = transitions_detail::NaN;  // |dp/dc0| at the fold, central difference (should be ~0)
    // Jumps at the onset (with_jumps): the coexisting stable fixed point (lowest stable branch) and the
    // chaotic solution just past the onset, by solve_stationary with lambda_max.
    double fixed_point_Delta_h = transitions_detail::NaN;
    double lambda_fixed_point = transitions_detail::NaN;  // (s0/tau_h)(-1 + sqrt(G)) at that fixed point
    double lambda_chaos = transitions_detail::NaN;
    double jump_C_h0 = transitions_detail::NaN;
    double jump_lambda_max = transitions_detail::NaN;
    int branch_points = 0;
    std::string message;
};
ChaosOnset chaos_onset(const ModelParams& m, const ParamRange& p, double c0_hint = 0, bool with_jumps = true);

// One row of the scan table. G is the stability parameter of the lowest fixed point (the zero one
// without inputs); the largest branch is listed too.
struct ScanRow {
    double value = 0;
    bool solved = false;       // the stationary solve ran (false: alpha_z != 0, not run in scans)
    bool converged = false;
    std::string termination;
    double C_h0 = transitions_detail::NaN, lambda_max = transitions_detail::NaN;
    double G = transitions_detail::NaN;
    bool stable = false;       // the lowest fixed point
    int branches = 0;
    double Delta_h_max = transitions_detail::NaN, G_max = transitions_detail::NaN;
    bool stable_max = false;
    bool chaotic = false;      // the stationary solution is the chaotic one (converged, not the fixed point)
    bool bistable = false;     // chaotic and a stable fixed point coexists
};

struct TransitionOptions {
    int points = 41;           // rows of the scan table (>= 2)
    bool table = true;         // compute the scan table
    bool lyapunov = true;      // lambda_max in the table
    bool jumps = true;         // jumps at g_chaos
    const Observer* observer = nullptr;
    void validate() const;     // throws BadInput("points", ...)
};

struct TransitionsResult {
    ParameterAxis scan;
    ZeroInstability zero_unstable;
    FixedPointFold fixed_point;
    ChaosOnset chaos;
    std::vector<ScanRow> rows;
    double seconds = 0;
};
TransitionsResult transitions(const ModelParams& m, const ParameterAxis& scan, const TransitionOptions& o = {});

}  // namespace gdmft
