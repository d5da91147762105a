#pragma once
// Timescale definitions used by every solver and by the simulator (one definition each).
#include <vector>

namespace gdmft {

// Correlation time: the first lag at which C(tau) - C_inf falls to (C(0) - C_inf)/e, linearly
// interpolated between grid points. NaN if it never does within the window.
double correlation_time(const std::vector<double>& tau, const std::vector<double>& C, double C_inf);

// Mean response time int tau R / int R (trapezoid rule on the given grid).
double mean_response_time(const std::vector<double>& tau, const std::vector<double>& R);

}  // namespace gdmft
