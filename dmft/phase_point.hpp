#pragma once
// One point of a phase diagram (THEORY.md sections 4 and 6): which attractors the stationary DMFT and
// the fixed-point equations find at a parameter point, as a label with the numbers behind it.
//
// Labels (docs/cli/phase.md):
//   stable     no chaotic stationary solution, and a fixed point with G < 1 exists;
//   chaotic    a chaotic solution (converged, decaying C_h, lambda_max > 0) and no stable fixed point;
//   bistable   a chaotic solution and a stable fixed point, both;
//   unresolved the solver failed (max iterations, divergence, non-finite state, an exception), or its
//              answer fits none of the above (e.g. a converged decaying solution with lambda_max <= 0,
//              or neither chaos nor a stable fixed point): never guessed;
//   marginal   reserved for the slow regime of the timescale gate (large alpha_z); its quantified
//              definition comes with that work, and classify_phase_point does not return it yet.
#include "dmft/fixed_points.hpp"
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"

#include <limits>
#include <string>
#include <vector>

namespace gdmft {

enum class PhaseLabel { Stable, Chaotic, Bistable, Marginal, Unresolved };
std::string to_string(PhaseLabel l);
// Every label in a fixed order (for summaries and legends).
inline constexpr PhaseLabel kPhaseLabels[] = {PhaseLabel::Stable, PhaseLabel::Chaotic, PhaseLabel::Bistable,
                                              PhaseLabel::Marginal, PhaseLabel::Unresolved};

struct PhasePointOptions {
    // The stationary solve (method, grid, tolerances, seed). lyapunov is forced on and the observer off:
    // a point is computed silently and single-threaded by its caller's choice.
    StationaryOptions stationary;
    int fixed_point_scan = 400;  // scan points of fixed_points()
    // A converged solution counts as chaotic when C_h(0) - C_h(inf) > decay_tol * max(1, C_h(0)).
    double decay_tol = 1e-8;
    void validate() const;       // throws BadInput naming the field
};

struct PhasePoint {
    PhaseLabel label = PhaseLabel::Unresolved;
    // The stationary solution's C_h(0) and lambda_max (for a stable point: the fixed point's variance
    // and the Jacobian's support edge, which is negative).
    double C_h0 = std::numeric_limits<double>::quiet_NaN();
    double lambda_max = std::numeric_limits<double>::quiet_NaN();
    // G (THEORY.md 4) of the stable fixed point with the smallest Delta_h if there is a stable one, else
    // of the lowest branch (smallest Delta_h; the zero fixed point when mu = s = 0); NaN without branches.
    double G = std::numeric_limits<double>::quiet_NaN();
    // Delta_h of the stable fixed point (NaN when there is none).
    double stable_fixed_point_Delta_h = std::numeric_limits<double>::quiet_NaN();
    int fixed_point_branches = 0;
    std::string method;       // "gaussian" or "sampled" (empty if the solver threw before choosing)
    std::string termination;  // to_string(Termination), or "exception"
    std::string message;
};

// A solution that terminated Converged and whose C_h decays: C_h(0) - C_h(inf) > decay_tol * max(1, |C_h(0)|) (the chaotic
// solution of the rules below, before lambda_max is looked at).
bool decaying_solution(const StationaryResult& r, double decay_tol = 1e-8);
// The stable fixed point (G < 1) with the smallest Delta_h, or nullptr.
const FixedPointBranch* smallest_stable_branch(const std::vector<FixedPointBranch>& branches);

// The rules alone: the label of a stationary solution `r` (solved with lambda_max) given whether a
// stable fixed point exists; `why` gets the reason in words.
PhaseLabel phase_label(const StationaryResult& r, bool stable_fixed_point, double decay_tol, std::string& why);

// Classifies the point by the rules above. Bad input (a bad model or options) throws BadInput; every
// numerical failure becomes an `unresolved` point with the reason in `message`.
PhasePoint classify_phase_point(const ModelParams& m, const PhasePointOptions& o);

}  // namespace gdmft
