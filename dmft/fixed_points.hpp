#pragma once
// Fixed points of the gated network and their stability (THEORY.md section 4).
//
// At a fixed point h = Jh (sigma_r phi) + I, z = Jz phi, r = Jr phi. For zero-mean couplings at large N
// the three fields are independent Gaussians across units: h ~ N(mu, Delta_h) (the recurrent input has
// zero mean, so the mean of h is the input mean mu), z ~ N(0, Delta_z), r ~ N(0, Delta_r), with
//
//   Delta_h = g_h^2 <sigma_r^2>_{Delta_r} <phi^2>_{mu, Delta_h} + s^2 =: U(Delta_h),
//   Delta_r = g_r^2 <phi^2>_{mu, Delta_h},   Delta_z = g_z^2 <phi^2>_{mu, Delta_h},
//
// where <phi^2> is the raw second moment of phi(h) (not centred: the static mean of phi is part of the
// recurrent input's variance). The z gate does not move fixed points. Stability (the Jacobian's
// support meets lambda = 0): G = g_h^2 [<sigma_r^2><phi'^2> + g_r^2 <sigma_r'^2><phi^2><phi'^2>] < 1.
#include "dmft/model.hpp"

#include <vector>

namespace gdmft {

struct FixedPointBranch {
    double Delta_h = 0, Delta_r = 0, Delta_z = 0;
    double G = 0;        // stability parameter
    bool stable = false; // G < 1
};

// U(Delta_h): the right-hand side of the Delta_h equation (trapezoid averages sized to the steepness of
// phi and of the gate, gauss::rule_for_strip).
double fixed_point_map(const ModelParams& m, double Delta_h);
// The branch quantities (Delta_r, Delta_z, G, stable) at a given Delta_h (a root of U(D) = D or not).
FixedPointBranch fixed_point_at(const ModelParams& m, double Delta_h);
// Every root of U(D) = D, in increasing Delta_h: all roots lie in [0, D_max], D_max = g_h^2 max<sigma_r^2> + s^2
// (<phi^2> <= 1 for tanh and erf). Scan on a geometric grid of `scan_points` points, bracket sign changes,
// refine with GSL Brent to 1e-13 relative; Delta_h = 0 is included when it is an exact root
// (mu = s = 0). Tangential (double) roots at an exact saddle-node can be missed.
std::vector<FixedPointBranch> fixed_points(const ModelParams& m, int scan_points = 400);

}  // namespace gdmft
