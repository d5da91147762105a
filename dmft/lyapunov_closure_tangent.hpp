#pragma once
// lambda_max of the Gaussian closure (alpha_z = 0) from the tangent DMFT of THEORY.md 5 evaluated in
// closed form: deterministic, for any tau_r (a dynamic r gate included).
//
// With a constant clock sigma_z = s0 the tangent y_h is driven by xi_h alone and is independent of the
// forward process (h, r), and y_r is driven by xi_r; so every average in the tangent self-consistency
// factorises into the closure's pair averages at each lag tau (no sampling):
//   C_yh = (s0/tau_h)^2 / kappa^2  LP_{1/kappa}[ g_h^2 B ],          kappa = lambda + s0/tau_h
//   A    = <phi'phi'>(C_h(tau)) C_yh
//   C_yr = 1/a^2  LP_{tau_r/a}[ g_r^2 A ]   (tau_r = 0: g_r^2 A),    a = 1 + tau_r lambda
//   B'   = <sigma_r sigma_r>(C_r(tau)) A + <sigma_r' sigma_r'>(C_r(tau)) <phi phi>(C_h(tau)) C_yr
// (LP_T: the unit low-pass of time constant T on the lag grid, dmft/gate_statistics.hpp; cross terms
// vanish since y_h and y_r are independent). B -> B' is a positive linear map T_lambda; lambda_max is the
// lambda where its spectral radius is 1 (power iteration, then a bracketing secant search on ln rho).
// For tau_r = 0 this is the Schrodinger problem of dmft/lyapunov_schrodinger.hpp (C_yh is its ground
// state), written on a different discretisation: their agreement checks both. For tau_r > 0 it is the
// reference for the sampled tangent DMFT (dmft/lyapunov_sampled.hpp), which needs no factorisation.
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"

#include <limits>
#include <string>

namespace gdmft {

struct ClosureTangentMapResult {
    bool converged = false;
    double lambda_max = std::numeric_limits<double>::quiet_NaN();  // per tau_h
    double rho_zero = std::numeric_limits<double>::quiet_NaN();    // spectral radius at lambda = 0
    int evaluations = 0, iterations = 0;  // rho(lambda) evaluations, map applications
    std::string message;
};

// `closure`: a converged chaotic Gaussian-closure result of model p (termination Converged).
ClosureTangentMapResult closure_tangent_lambda(const ModelParams& p, const StationaryResult& closure,
                                               double lambda_tol = 1e-9);

// At a fixed point (h ~ N(mu, Delta_h), r ~ N(0, Delta_r)) with alpha_z = 0 and any tau_r: the rightmost
// real point of the Jacobian's support (THEORY.md 4),
//   g_h^2 (s0 / (tau_h lambda + s0))^2 [ <s_r^2><phi'^2> + g_r^2 <s_r'^2><phi^2><phi'^2> / (1 + tau_r lambda)^2 ] = 1,
// which is the largest Lyapunov exponent of the stable fixed point (for a complex lambda of the same real
// part both moduli are larger, so the support's rightmost point is real). Bisection; tau_r = 0 gives
// (s0/tau_h)(-1 + sqrt(G)).
double fixed_point_lambda(const ModelParams& p, double Delta_h, double Delta_r);

}  // namespace gdmft
