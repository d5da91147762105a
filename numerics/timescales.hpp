#pragma once
// Timescale definitions used by every solver and by the simulator (one definition each).
#include <vector>

namespace gdmft {

// Correlation time: the first lag at which C(tau) - C_inf falls to (C(0) - C_inf)/e, linearly
// interpolated between grid points. NaN if it never does within the window.
double correlation_time(const std::vector<double>& tau, const std::vector<double>& C, double C_inf);

// Static (infinite-lag) part q of a stationary series from the mean squared time average S2 of its
// realizations (paths, or units of a network) over L samples, and its lag covariance C_k on the same
// sampling grid (k = 0.., taken as q beyond the last lag). The finite-time variance of a time average is
//   S2 = q + (1/L) sum_{|k|<L} (1 - |k|/L) (C_k - q),
// so solving for q removes the O(tau_corr / L) bias of the plain variance of the time averages (which a
// process without a static part, q = 0, would otherwise show).
double plateau_from_time_averages(const std::vector<double>& C, double S2, std::size_t L);

// Mean response time int tau R / int R (trapezoid rule on the given grid).
double mean_response_time(const std::vector<double>& tau, const std::vector<double>& R);

}  // namespace gdmft
