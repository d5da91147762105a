#pragma once
// The adjoint (gradient) field theory of THEORY.md 7: the backward, two-time, self-consistent problem for
// the adjoint a = dL/dx of a random readout loss L = w . h(T) (w_i ~ N(0, 1), so |a_h|^2/N = 1 at the
// horizon), driven by the stationary forward statistics. Derivation and checks: docs/gradient.md.
//
// In backward time s = T - t the single-site adjoint is
//   da_h/ds = -(sigma_z/tau_h) a_h + phi'(h) [ sigma_r(r) zeta_h + zeta_z + zeta_r ]
//   da_z/ds = (sigma_z'(z)/tau_h) (eta_h + I - h) a_h - a_z/tau_z
//   da_r/ds = sigma_r'(r) phi(h) zeta_h - a_r/tau_r
// with zeta Gaussian, independent of the forward process, <zeta_h zeta_h> = (g_h/tau_h)^2 <sigma_z a_h sigma_z a_h>,
// <zeta_z zeta_z> = g_z^2 <e_z e_z>, <zeta_r zeta_r> = g_r^2 <e_r e_r>, where e_z = a_z/tau_z for a dynamic gate
// and e_z = (sigma_z'(z)/tau_h)(eta_h + I - h) a_h for an instantaneous one (likewise e_r = a_r/tau_r or
// sigma_r'(r) phi(h) zeta_h).
//
// Two routes fill the same result:
//  - closure (this file's adjoint_closure / adjoint_fixed_point): alpha_z = 0, where h is a Gaussian
//    process and every average factorises into pair averages at each lag, so the two-time covariances
//    A(s,s') = <a_h(s) a_h(s')> (and <a_r a_r>) obey a deterministic causal Volterra system, marched on
//    the triangle s' <= s with the exponential (linear-interpolation) filter in each time. Chaotic state
//    (forward lag functions from the Gaussian closure) or fixed point (constant forward state).
//  - sampled (dmft/adjoint_sampled.hpp): any alpha_z, on sampled forward paths.
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"

#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct AdjointOptions {
    double horizon = 100;         // T, units of tau_h
    double dt = 0.1;              // grid step of the march (closure) or the paths (sampled)
    double profile_spacing = 0;   // spacing of the reported profile (a multiple of dt); 0: the multiple nearest 0.5
    double resolved_spacing() const;
    // Growth rate: fit ln a_h2 = c + gamma s (+ beta ln s at a fixed point: the power-law prefactor of
    // THEORY.md 7) over the late window [(1 + fit_from) T / 2, T]; the error is its change from the fit
    // over [fit_from T, T].
    double fit_from = 0.5;
    double late_window_start() const { return 0.5 * (1 + fit_from) * horizon; }  // (1 + fit_from) T / 2
    std::size_t memory_limit = std::size_t(1) << 30;  // bytes of two-time storage
    // Compute reference_growth when the inputs do not carry it (chaotic state: the closure tangent map,
    // slow near the onset where the lag window is long; a stationary result solved with lambda_max is used
    // as it is).
    bool reference = true;
    void validate() const;  // throws BadInput naming the option (horizon, dt, profile-spacing, ...)
};

struct AdjointResult {
    std::string method;  // "closure" or "sampled"
    std::string state;   // "chaotic" or "fixed_point"
    bool finite = true;  // false: the adjoint overflowed or became non-finite
    double nonfinite_at = std::numeric_limits<double>::quiet_NaN();  // s where that happened

    // Profile on s = t_before_horizon = 0, spacing, ..., T. ln of |a|^2/N (a_h2 can exceed the double
    // range on long chaotic horizons; write it with format_log_value). a_z2 / a_r2 are empty when that
    // gate has no adjoint state (constant or instantaneous gate).
    std::vector<double> t_before_horizon, log_a_h2, log_a_h2_err, a_z2, a_z2_err, a_r2, a_r2_err;

    double growth_rate = std::numeric_limits<double>::quiet_NaN();      // of a_h2 per unit backward time
    double growth_rate_err = std::numeric_limits<double>::quiet_NaN();  // fit-window spread (+ sampling)
    double growth_prefactor_power = std::numeric_limits<double>::quiet_NaN();  // beta of the fit

    // Parameter-gradient sizes (1/N^2) sum_ij (dL/dJ_ij)^2 = int int ds ds' (kernel) (forward covariance)
    // over [0, T']^2, at each T' of `norm_horizons` (the last is T). grad_norm_Jz is 0 when the z gate is
    // constant (Jz does not enter the dynamics), likewise Jr.
    std::vector<double> norm_horizons, grad_norm_Jh, grad_norm_Jz, grad_norm_Jr;
    std::vector<double> grad_norm_Jh_err, grad_norm_Jz_err, grad_norm_Jr_err;

    // The reference growth rate of the special cases: 2 lambda_max (chaotic) or twice the rightmost real
    // point of the Jacobian support (fixed point); NaN when not computed.
    double reference_growth = std::numeric_limits<double>::quiet_NaN();
    std::string reference_source;

    std::size_t grid_points = 0;
    double seconds = 0;
    std::string message;
};

// Chaotic state, alpha_z = 0: `closure` is a converged chaotic Gaussian-closure result of p (its lag
// functions C_h, C_r drive the march; lags beyond its window take the last value).
AdjointResult adjoint_closure(const ModelParams& p, const StationaryResult& closure, const AdjointOptions& o);

// Fixed point with h ~ N(mu, Delta_h), r ~ N(0, Delta_r), z ~ N(0, Delta_z(Delta_h)) (constant in time), any
// alpha_z: the clock sigma_z(z_i) is frozen per site, and the march runs on quadrature nodes over z.
AdjointResult adjoint_fixed_point(const ModelParams& p, double Delta_h, double Delta_r, const AdjointOptions& o);

// "1.234567e+05" for values in range, and the same form from ln v beyond the double range
// ("3.1e+412"); "nan" is never produced for a finite log.
std::string format_log_value(double log_value, int digits = 7);

namespace detail {
// Least-squares fit of y = c + gamma s + beta ln s (with_power) or y = c + gamma s on the points with
// s >= s_min > 0. Returns {gamma, beta}.
std::pair<double, double> fit_growth(const std::vector<double>& s, const std::vector<double>& y, double s_min,
                                     bool with_power);
}  // namespace detail

}  // namespace gdmft
