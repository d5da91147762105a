#pragma once
// The sampled route of the adjoint (gradient) DMFT of THEORY.md 7 (dmft/adjoint.hpp), for any alpha_z.
//
// In backward time s = T - t, on the grid s_k = k dt, k = 0..K-1 (K = T/dt + 1), each of M paths is
//   da_h/ds = -(sigma_z/tau_h) a_h + phi'(h) [ sigma_r(r) zeta_h + zeta_z + zeta_r ],   a_h(0) = w,
//   da_z/ds = (sigma_z'(z)/tau_h)(eta_h + I - h) a_h - a_z/tau_z,   da_r/ds = sigma_r'(r) phi(h) zeta_h - a_r/tau_r,
// driven by the path's own forward process read backwards, (h, z, eta_h + I, r)(T - s), and by Gaussian
// fields zeta independent of it, whose two-time covariances are measured on the paths themselves:
//   <zeta_h zeta_h> = (g_h/tau_h)^2 <x x>, x = sigma_z a_h;  <zeta_z zeta_z> = g_z^2 <e_z e_z>;  <zeta_r zeta_r> = g_r^2 <e_r e_r>.
//
// METHOD.
//  Forward paths. The stationary solution's single-site fields (a sampled solver's converged sets, or a
//  Gaussian closure's functions read off as in dmft/lyapunov_sampled.hpp) are refined from their lag
//  step to dt (4-point Lagrange, dt must divide the forward step), and a SingleSiteSampler draws M fresh
//  paths of (h, sigma_z, eta_h + I) on a window of K steps after its burn-in (the integration is the
//  stationary solver's own); r, independent of (h, z), is drawn by circulant embedding from the forward
//  C_r. The window is read in reverse.
//  Causal march. The problem is causal in s: the covariance row K(k, 0..k) of each zeta needs the
//  adjoint up to s_k only. At step k the row is measured over the paths (x at s_k against the stored
//  history), appended to a causal Cholesky factor (numerics/gaussian_process.hpp), and
//  zeta(s_k) = sum_l L(k,l) xi_l per path with stored white noise xi. The adjoint advances by Heun's
//  predictor-corrector: predict a(s_{k+1}) by an Euler step, build the trial row k+1 from the predicted
//  values and draw zeta(s_{k+1}) with the noise of step k+1, correct with the trapezoid rule, then
//  rebuild row k+1 from the corrected values (the row that is kept). Local error O(dt^3): the step error
//  of the growth rate is O(dt^2) (measured in tests/unit/test_adjoint_sampled.cpp).
//  Scale. The march is linear and homogeneous: when <a_h^2> leaves [1e-200, 1e200] every path's state,
//  the stored histories and the factors are multiplied by a power of 2 (exact) and the log scale is
//  kept: the profile is ln <a_h^2>. w is normalised to <w^2> = 1 over the paths of a set.
//  Errors. `random_sets` independent sets (fresh forward paths and noise; forward set s mod the number of
//  forward sets); every reported value is the mean over sets with its standard error. The growth rate is
//  the least-squares slope of the mean ln <a_h^2> over s in [fit_from T, T]; its error adds the
//  set-to-set standard error and half the difference between the slopes of the two halves of that range.
//  Gradient norms. (1/N^2) sum_ij (dL/dJ_ij)^2 = int int ds ds' K(s,s') F(s,s') over [0, T']^2 (trapezoid
//  rule), with K the kept covariance rows (1/tau_h^2 <x x> for Jh, <e_z e_z>, <e_r e_r>) and F the forward
//  C_srphi or C_phi (raw) measured on the same forward paths.
//  Paths are processed in fixed chunks and reduced in a fixed order: results do not depend on the
//  number of threads.
#include "dmft/adjoint.hpp"
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <cstdint>

namespace gdmft {

struct AdjointSampledOptions {
    const Observer* observer = nullptr;  // progress and log lines; nullptr = silent
    std::size_t paths = 1024;  // adjoint paths per random set (rounded up to a multiple of 8)
    int random_sets = 4;       // independent random sets (>= 2 for error bars)
    std::uint64_t seed = 1;
    double jitter = 1e-6;      // relative nugget of the causal factors (numerics/gaussian_process.hpp)
    void validate() const;     // throws BadInput naming the option (paths, random_sets, jitter)
};

// `forward` is a converged chaotic stationary solution of p: a sampled solver's result (its
// sampled_state drives the paths; any alpha_z) or a Gaussian closure's (alpha_z = 0). o.dt must divide
// the forward lag step. Throws BadInput naming the option for bad options, a forward solution that
// cannot drive the route ("forward"), or a run that would need more than o.memory_limit bytes
// ("memory-limit"). reference_growth is 2 forward.lambda_max when the forward solve computed it.
AdjointResult adjoint_sampled(const ModelParams& p, const StationaryResult& forward, const AdjointOptions& o,
                              const AdjointSampledOptions& so);

}  // namespace gdmft
