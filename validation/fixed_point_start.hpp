#pragma once
// A finite network's state at its fixed point, from a nearby state: Newton with a backtracking line search
// on F(h) = -h + Jh (sigma_r(Jr phi(h)) phi(h)) + I (validation/fixed_point_count.hpp's FixedPointSystem,
// whose couplings are the network's), then the gate states set to their fixed values z = Jz phi(h),
// r = Jr phi(h). Needed where relaxation is too slow to reach the fixed point: with a spread clock
// (alpha_z != 0) units whose gate is nearly closed relax at rate sigma_z << 1.
#include "validation/network.hpp"

#include <Eigen/Dense>

namespace gdmft::sim {

struct FixedPointStart {
    Eigen::VectorXd x;          // the network state (dim rows)
    double residual = 0;        // max_i |F_i(h)|
    double rhs_norm = 0;        // max |dx/dt| of the network at x (checks the gate rows too)
    int iterations = 0;
};

// Throws NumericalFailure when Newton does not reach max|F| < tol within max_iterations.
FixedPointStart fixed_point_start(const Network& net, std::uint64_t seed, const Eigen::VectorXd& x_near,
                                  double tol = 1e-10, int max_iterations = 60);

}  // namespace gdmft::sim
