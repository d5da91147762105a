#pragma once
// Largest Lyapunov exponent of the Gaussian closure with an instantaneous r gate (THEORY.md section 5).
//
// In u = s0 t / tau_h units the tangent covariance psi(u) of the growth-factored perturbation obeys
//   [ -d^2/du^2 - W(u) ] psi = E psi,   W = g_h^2 [ C_sr C_phi' + g_r^2 C_sr' C_phi C_phi' ],
// with C_phi' = <phi'(x) phi'(y)> (= dC_phi/dc by Price) and C_sr' = <sigma_r'(a) sigma_r'(b)>, the
// pair averages at the lag u. The growth rate of the ground state E0 is lambda_u = -1 + sqrt(-E0), so
// lambda_max = (s0/tau_h)(-1 + sqrt(-E0)). For tau_r = 0, W = dF/dc at c = C_h(u), so C_h'(u) is an exact
// eigenfunction with E = -1 (the lambda = 0 time-translation mode): odd, hence the lowest odd state,
// the second eigenvalue on the symmetric interval. It checks the discretisation and the solution.
//
// Discretisation: W on u_k = k h, k = 0..n-1, extended evenly to [-(n-1)h, (n-1)h]; second-order finite
// differences with Dirichlet walls one step beyond. The reflection symmetry splits the symmetric
// tridiagonal matrix into its even and odd blocks (the ground state is the lowest even state, the zero
// mode the lowest odd one), each solved with Eigen's SelfAdjointEigenSolver::computeFromTridiagonal, at
// a step hs (the lag step, subsampled to at most max_points per half line since the eigensolver costs
// O(points^2)) and at 2 hs, Richardson-extrapolated (the error is c hs^2 + O(hs^4)).
#include <cstddef>
#include <vector>

namespace gdmft {

struct SchrodingerLowest {
    double E0 = 0, E1 = 0;          // Richardson-extrapolated lowest two eigenvalues
    double E0_h = 0, E1_h = 0;      // at the step used (unextrapolated)
    double step = 0;                // that step (u units)
    double lambda_u() const;        // -1 + sqrt(-E0) (growth rate in u units; -1 if E0 >= 0)
};

// W sampled on u_k = k h (k = 0..n-1, n >= 9).
SchrodingerLowest schrodinger_lowest(const std::vector<double>& W, double h, std::size_t max_points = 1000);

}  // namespace gdmft
