#pragma once
// Annealed Kac-Rice complexity of the gated network, alpha_r != 0 (THEORY.md 10; derivation in docs/complexity.md
// section 8). Unknowns per unit (x, r) = (h, r); prior x ~ N(0, g_h^2 q_v), r ~ N(0, g_r^2 q), both independent;
// a = sigma_r(r) phi'(x), b = sigma_r'(r) phi(x), c = phi'(x), W = (1 + b^2 p)(1 + c^2 p') + t a^2;
//
//   Sigma = max(0, S*),  S(q, q_v, t, p, p', m1, m2) = ln E_prior[ sqrt(W) exp(m1 (phi^2 - q) + m2 (sigma_r^2 phi^2 - q_v)) ]
//                                                      - p p' / (2 t g_r^2) - t / (2 g_h^2),
//
// S* the value at the dominant nontrivial saddle (sup over q, q_v, t; inf over m1, m2; stationary in p, p').
// All first and second derivatives of S are moments of the tilted law rho ~ prior sqrt(W) exp(...), so the
// saddle is found by Newton on the seven stationarity conditions with the exact Hessian, on a tensor trapezoid
// rule in (x, r) (numerics/gaussian_average's step rule; strip pi/4 in x, pi/(2 alpha_r) in r).
//
// Which saddle: the nontrivial branch is followed by continuation from the SCS solution (alpha_r = 0, where it is
// dmft/complexity's, at g_eff = max(g_h sigma_r(0), 2)): first in alpha_r, then in g_h down to the target. The
// branch can end before the target: by a fold (first-order onset), by t -> 0 (its fixed points become stable,
// the log-det term switches off) or by q -> 0 (it merges with the trivial solution, as at alpha_r = 0). Then the
// only solutions left are the trivial one (x = r = 0) and t = 0 static ones, both with S <= 0: Sigma = 0.
#include "dmft/complexity.hpp"
#include "dmft/k_spectrum.hpp"

#include <string>

namespace gdmft {

struct GatedEvaluation {
    bool ok = false;        // false when W <= 0 somewhere or a parameter left its domain
    double S = 0;
    double grad[7] = {};    // order q, q_v, t, p, p', m1, m2
    double H[7][7] = {};
    double x2 = 0, r2 = 0, phi2 = 0, srphi2 = 0;  // <x^2>, <r^2>, <phi^2>, <sigma_r^2 phi^2> under rho
    int nodes = 0;
};

// The objective with gradient and (if hessian) Hessian; law (if non-null) receives rho's atoms as a law of
// (a^2, b^2, c^2) (atoms below 1e-18 of the largest weight dropped).
GatedEvaluation gated_objective(const ModelParams& model, const GatedSaddle& s, const ComplexityOptions& opts,
                                bool hessian = true, GateSiteLaw* law = nullptr);

struct GatedSolve {
    GatedSaddle saddle;
    GatedEvaluation eval;
    bool converged = false;
    int iterations = 0;
    std::string why;          // on failure: "t -> 0", "q -> 0", "no convergence"
    double reached = 0;       // continuation: the last parameter value with a converged saddle
};

// Newton from a starting saddle (damped by backtracking on |grad S|, keeping 0 < q, q_v < 1, t > 0, p, p' >= 0).
GatedSolve gated_newton(const ModelParams& model, const GatedSaddle& start, const ComplexityOptions& opts);

// Follow the branch from (model with NAME = from, saddle) to NAME = to: secant predictor, adaptive steps
// (at most max_step), halved on failure down to 1e-7 |to - from|. On failure `reached` is the branch's end.
GatedSolve gated_track(const ModelParams& model, const std::string& name, double from, const GatedSaddle& saddle,
                       double to, double max_step, const ComplexityOptions& opts);

// The nontrivial branch at the model by the continuation path described above.
GatedSolve gated_branch(const ModelParams& model, const ComplexityOptions& opts);

// The gated complexity: from a hint (a neighbouring saddle) when given and Newton converges from it, else
// gated_branch. Sigma = max(0, S*), trivial with the reason when S* <= Sigma_floor or the branch is absent.
ComplexityResult gated_complexity(const ModelParams& model, const ComplexityOptions& opts = {},
                                  const GatedSaddle* hint = nullptr);

// The result assembled from a converged solve (Sigma, moments, unstable fraction).
ComplexityResult gated_result(const ModelParams& model, const GatedSolve& solve, const ComplexityOptions& opts);

}  // namespace gdmft
