#pragma once
// Tangent (Lyapunov) DMFT on sampled paths (THEORY.md 5), for any alpha_z.
//
// Linearise the single site and factor out the growth, y = delta x e^{-lambda t}:
//   tau_h y_h' = -tau_h lambda y_h + sigma_z'(z) y_z (eta_h + I - h) + sigma_z(z) (xi_h - y_h)
//   tau_z y_z' = -(1 + tau_z lambda) y_z + xi_z,   tau_r y_r' = -(1 + tau_r lambda) y_r + xi_r
// with xi Gaussian, independent of the forward fields, and
//   <xi_h xi_h> = g_h^2 B,  <xi_z xi_z> = g_z^2 A,  <xi_r xi_r> = g_r^2 A,
//   A = <phi'(h) y_h phi'(h) y_h>,  B = <(sigma_r phi' y_h + sigma_r' phi y_r)(t) (...)(t+tau)>.
// For a given lambda, (A, B) -> (A', B') measured on sampled paths is a positive, homogeneous map T_lambda
// (linear in the covariances); lambda_max is the lambda at which its spectral radius rho(lambda) is 1.
// rho is found by power iteration with Anderson mixing on the same common random numbers as the forward
// solution (so T_lambda is deterministic), lambda by a bracketing secant (Illinois) search on ln rho,
// with each power iteration warm-started from the previous eigenvector.
#include "dmft/model.hpp"
#include "dmft/single_site_sampler.hpp"
#include "numerics/progress.hpp"

#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct TangentResult;

struct TangentOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    std::size_t paths = 512;   // tangent paths (the first paths of the forward random set)
    int max_power = 80;        // power iterations per lambda
    double power_tol = 1e-4;   // relative residual of the normalised eigenvector (dmft/tangent_dmft.cpp)
    double lambda_tol = 1e-3;  // on lambda, in units of sigma_z(0)/tau_h (1/tau_eff)
    int max_lambda = 30;       // evaluations of rho(lambda)
    // Warm start from another random set's converged result on the same lag grid (its lambda_max and
    // eigenvector): the search starts there and brackets the root by steps of max(lambda/4, 4 tol)
    // around it, instead of from lambda = 0 (rho(0) is then not computed); if that finds no bracket, the
    // search starts again from lambda = 0. nullptr = cold start.
    const TangentResult* hint = nullptr;
};

struct TangentResult {
    bool converged = false;
    double lambda_max = std::numeric_limits<double>::quiet_NaN();  // per tau_h
    double rho_zero = std::numeric_limits<double>::quiet_NaN();    // spectral radius at lambda = 0
    int evaluations = 0;   // rho(lambda) evaluations
    int applications = 0;  // applications of T_lambda (each about two forward map evaluations)
    std::vector<double> A, B;  // the eigenvector (B(0) = 1) at the last lambda evaluated
    std::string message;
};

// The forward state of one random set: the single-site fields of its converged fixed point, the forward
// C_r with its plateau, and C_phi (raw) with its plateau (the starting shape of the power iteration).
struct TangentForward {
    SiteFields fields;
    std::vector<double> C_r, C_phi;
    double r_plateau = 0, phi_plateau = 0;
};

TangentResult tangent_lambda_max(const ModelParams& p, SingleSiteSampler& smp, const TangentForward& fwd,
                                 const TangentOptions& o);

namespace detail {

// One evaluation of ln rho(lambda), and whether its power iteration converged.
struct RhoEvaluation {
    double lambda, ln_rho;
    bool converged;
};

// Whether the evaluations whose power iteration converged pin the root of ln rho (decreasing in lambda)
// to within tol: ln rho >= 0 at some lo and ln rho <= 0 at some hi, lo <= hi <= lo + tol (with lo the
// largest such lambda and hi the smallest). An evaluation far from the root, say at the upper end of
// the first bracket, may then fail to converge without making lambda_max uncertain.
bool root_pinned(const std::vector<RhoEvaluation>& evaluations, double tol);

}  // namespace detail

}  // namespace gdmft
