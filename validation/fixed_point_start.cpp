// Newton to a finite network's fixed point (see the header).
#include "validation/fixed_point_start.hpp"

#include "numerics/errors.hpp"
#include "validation/fixed_point_count.hpp"

#include <cmath>
#include <string>

namespace gdmft::sim {

FixedPointStart fixed_point_start(const Network& net, std::uint64_t seed, const Eigen::VectorXd& x_near, double tol,
                                  int max_iterations) {
    const std::size_t N = net.N();
    const Eigen::Index n = static_cast<Eigen::Index>(N);
    const FixedPointSystem sys(net.params(), N, seed);
    Eigen::VectorXd h = x_near.head(n);
    Eigen::VectorXd F = sys.F(h);
    FixedPointStart out;
    while (F.cwiseAbs().maxCoeff() >= tol) {
        if (out.iterations++ >= max_iterations)
            throw NumericalFailure("fixed_point_start: Newton did not reach max|F| < " + std::to_string(tol) + " in " +
                                   std::to_string(max_iterations) + " iterations (max|F| = " +
                                   std::to_string(F.cwiseAbs().maxCoeff()) + ")");
        const Eigen::VectorXd d = sys.DF(h).partialPivLu().solve(-F);
        double step = 1;
        const double f0 = F.squaredNorm();
        Eigen::VectorXd h1 = h + d, F1 = sys.F(h1);
        while (!(F1.squaredNorm() < (1 - 1e-4 * step) * f0) && step > 1e-6) {
            step *= 0.5;
            h1 = h + step * d;
            F1 = sys.F(h1);
        }
        h = h1, F = F1;
    }
    out.residual = F.cwiseAbs().maxCoeff();
    // Gate states: with h at its fixed value and the gate rows at 0, tau dz/dt = Jz phi(h) (+ 0): z* = tau dz/dt.
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(net.dim()), 1), dX;
    X.col(0).head(n) = h;
    const Columns cols{1, 0};
    net.rhs(X, dX, cols);
    Eigen::Index row = n;
    const ModelParams& p = net.params();
    if (net.z_in_state()) X.col(0).segment(row, n) = p.tau_z * dX.col(0).segment(row, n), row += n;
    if (net.r_in_state()) X.col(0).segment(row, n) = p.tau_r * dX.col(0).segment(row, n);
    net.rhs(X, dX, cols);
    out.rhs_norm = dX.cwiseAbs().maxCoeff();
    out.x = X.col(0);
    return out;
}

}  // namespace gdmft::sim
