#pragma once
// Annealed Kac-Rice complexity of the fixed points, SCS limit (THEORY.md 10; derivation in
// docs/complexity.md):
//
//   Sigma = lim (1/N) ln E[#FP]
//         = sup_{q > 0, t >= 0} inf_m { ln E_{x ~ N(0, g^2 q)}[ sqrt(1 + t phi'(x)^2) exp(m (phi(x)^2 - q)) ] - t / (2 g^2) },
//
// g = g_eff = g_h sigma_r(0). The optimal tilted law rho(x) ~ N(0, g^2 q) sqrt(1 + t phi'^2) exp(m phi^2) is the
// law of the components of the dominant fixed points. Solved as nested one-dimensional problems: m by
// safeguarded Newton (the objective is convex in m), t by Brent on the envelope derivative (concave in
// t), q by a geometric grid on (0, 1) (phi^2 < 1 bounds q) and Brent refinement. q -> 0 is the trivial
// fixed point x = 0 (m = mu / q, mu -> (1 - g^2)/(2 g^2)): the objective tends to 0 for g >= 1 and to
// 1/2 - ln g - 1/(2 g^2) < 0 for g < 1; x = 0 is always a root, so Sigma = max(0, sup_q G(q)).
//
// Scope: alpha_r = 0 and no input (mu = s = 0). The gated case (alpha_r != 0) needs the singular values
// of K = A + B Jr C and is rejected with BadInput("alpha_r", ...); inputs are rejected likewise.
#include "dmft/model.hpp"

#include <optional>
#include <string>

namespace gdmft {

struct ComplexityOptions {
    double quadrature_tol = 1e-15;  // trapezoid rule tolerance (gauss::rule_for_strip)
    int q_grid = 48;                // geometric grid of q on [q_min, q_max]
    double q_min = 1e-7, q_max = 0.995;
    double Sigma_floor = 1e-15;     // Sigma below this is reported as the trivial solution
    bool unstable_fraction = true;  // compute the spectral unstable fraction (a few ms)
};

struct ComplexityResult {
    double g_eff = 0;
    double Sigma = 0;          // >= 0, never NaN
    bool trivial = true;       // only the q -> 0 solution (x = 0): Sigma = 0
    double q = 0, t = 0, m = 0;  // optimal parameters (0 for the trivial solution)
    double second_moment = 0;  // <x^2> under the optimal law (mean squared fixed-point component)
    double mean_phi2 = 0;      // <phi^2> under the optimal law (= q at the solution)
    std::optional<double> unstable_fraction;  // fraction of Jacobian eigenvalues with Re > 0
    bool converged = false;
    std::string message;
    int objective_evaluations = 0;
};

// Throws BadInput for alpha_r != 0 or nonzero input.
ComplexityResult annealed_complexity(const ModelParams& model, const ComplexityOptions& opts = {});

// The same for a bare SCS gain g and nonlinearity.
ComplexityResult scs_complexity(double g, Phi phi, const ComplexityOptions& opts = {});

// The variational objective maximised over t and minimised over m at fixed q (the profile G(q)). Exposed for tests of the small-q expansion.
double complexity_profile(double g, Phi phi, double q, const ComplexityOptions& opts = {});

// The bifurcation function of the nontrivial branch: the q -> 0 solution has t0 = g^2 - 1, and the
// profile is G(q) = c1 q + c2 q^2 + ... with c1 = 0 and c2 = 6 a3^2 (g^2 - 1) + O((g^2-1)^2) for g > 1
// (phi = x + a3 x^3 + ...; docs/complexity.md), and negative for g < 1. A nontrivial maximum appears where g^2 - 1 changes sign; this
// returns g_eff^2 - 1 (its root is the onset, located by Brent in the CLI).
double complexity_bifurcation(const ModelParams& model);

}  // namespace gdmft
