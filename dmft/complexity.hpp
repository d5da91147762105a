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
// Scope: no input (mu = s = 0; rejected with BadInput). alpha_r = 0 takes the SCS path above; alpha_r != 0 the
// gated variational problem of dmft/gated_complexity.hpp (seven parameters q, q_v, t, p, p', m1, m2; the
// singular values of K = A + B Jr C enter through dmft/k_spectrum.hpp).
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
    // Gated problem (alpha_r != 0): trapezoid tolerance of the (x, r) rule, Newton's tolerance on max |grad S|
    // and its iteration cap; the unstable fraction's law uses a coarser rule.
    double gated_quadrature_tol = 1e-13;
    double gated_law_tol = 1e-9;    // the rule of the law of (a, b, c) behind the unstable fraction
    double gated_grad_tol = 1e-11;
    int gated_iterations = 40;
};

// The saddle of the gated problem (alpha_r != 0; docs/complexity.md section 8): q = <phi^2>, q_v = <sigma_r^2 phi^2>,
// t (the log-det lemma's parameter for Jh, at g_h), p, p' (the rescaled self-energies of K's hermitization),
// m1, m2 (the multipliers of the two constraints).
struct GatedSaddle {
    double q = 0, q_v = 0, t = 0, p = 0, pp = 0, m1 = 0, m2 = 0;
};

struct ComplexityResult {
    double g_eff = 0;
    double Sigma = 0;          // >= 0, never NaN
    bool trivial = true;       // only the q -> 0 solution (x = 0): Sigma = 0
    double q = 0, t = 0, m = 0;  // optimal parameters (0 for the trivial solution)
    double second_moment = 0;  // <x^2> under the optimal law (mean squared fixed-point component)
    double mean_phi2 = 0;      // <phi^2> under the optimal law (= q at the solution)
    // Gated (alpha_r != 0) only: the saddle of the nontrivial branch and its value (which may be negative:
    // Sigma = max(0, branch_value)); absent when the branch was not found (see message).
    std::optional<GatedSaddle> gated;
    std::optional<double> branch_value;
    double mean_r2 = 0;        // <r^2> under the optimal law (gated)
    std::optional<double> unstable_fraction;  // fraction of Jacobian eigenvalues with Re > 0
    bool converged = false;
    std::string message;
    int objective_evaluations = 0;
};

// Throws BadInput naming input_mean / input_std for a nonzero input (after model.validate()).
void require_complexity_scope(const ModelParams& model);

// Throws BadInput for nonzero input. alpha_r != 0: the gated problem (dmft/gated_complexity.hpp).
ComplexityResult annealed_complexity(const ModelParams& model, const ComplexityOptions& opts = {});

// The same for a bare SCS gain g and nonlinearity.
ComplexityResult scs_complexity(double g, Phi phi, const ComplexityOptions& opts = {});

// The variational objective maximised over t and minimised over m at fixed q (the profile G(q)). Exposed for tests of the small-q expansion.
double complexity_profile(double g, Phi phi, double q, const ComplexityOptions& opts = {});

// The bifurcation function of the nontrivial branch: the q -> 0 solution has t0 = g^2 - 1, and the
// profile is G(q) = c1 q + c2 q^2 + ... with c1 = 0 and c2 = 6 a3^2 (g^2 - 1) + O((g^2-1)^2) for g > 1
// (phi = x + a3 x^3 + ...; docs/complexity.md), and negative for g < 1. A nontrivial maximum appears where g^2 - 1 changes sign; this
// returns g_eff^2 - 1 (its root is the onset, located by Brent in the CLI). SCS limit only (alpha_r = 0):
// throws BadInput("alpha_r") otherwise (the gated onset is first order: dmft/complexity_scan).
double complexity_bifurcation(const ModelParams& model);

}  // namespace gdmft
