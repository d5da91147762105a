#include "dmft/lyapunov_schrodinger.hpp"
#include "numerics/errors.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <stdexcept>

namespace gdmft {

namespace {

// Lowest eigenvalue of -d^2/du^2 - W of one parity on the half grid W[0], W[stride], ... (step hs),
// Dirichlet wall one step beyond the end. The full symmetric problem commutes with the reflection
// u -> -u, so its spectrum is the union of the even (psi_{-1} = psi_1) and odd (psi_0 = 0) spectra.
// Even: the row at u = 0 reads (2 psi_0 - 2 psi_1)/hs^2 - W_0 psi_0; scaling psi_0 by sqrt(2) makes the
// matrix symmetric with off-diagonal -sqrt(2)/hs^2 in the first row.
double lowest(const std::vector<double>& W, double h, std::size_t stride, bool even) {
    std::vector<double> half;
    for (std::size_t k = 0; k < W.size(); k += stride) half.push_back(W[k]);
    const double hs = h * stride, inv = 1 / (hs * hs);
    const std::size_t first = even ? 0 : 1;
    const Eigen::Index N = static_cast<Eigen::Index>(half.size() - first);
    Eigen::VectorXd diag(N), sub(N - 1);
    for (Eigen::Index j = 0; j < N; ++j) diag[j] = 2 * inv - half[first + j];
    sub.setConstant(-inv);
    if (even) sub[0] = -std::sqrt(2.0) * inv;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
    es.computeFromTridiagonal(diag, sub, Eigen::EigenvaluesOnly);
    if (es.info() != Eigen::Success) throw std::runtime_error("schrodinger_lowest: eigenvalue iteration failed");
    return es.eigenvalues()[0];
}

}  // namespace

double SchrodingerLowest::lambda_u() const { return E0 < 0 ? -1 + std::sqrt(-E0) : -1.0; }

SchrodingerLowest schrodinger_lowest(const std::vector<double>& W, double h, std::size_t max_points) {
    if (W.size() < 9) throw BadInput("W", "need at least 9 lags (schrodinger_lowest)");
    // The eigenfunctions vary on the scale of C_h, far above the solver's lag step: subsample so that
    // each half-line problem has at most max_points points (the eigensolver costs O(points^2)).
    const std::size_t stride = std::max<std::size_t>(1, (W.size() + max_points - 1) / max_points);
    SchrodingerLowest s;
    s.step = h * stride;
    s.E0_h = lowest(W, h, stride, true);
    s.E1_h = lowest(W, h, stride, false);
    s.E0 = (4 * s.E0_h - lowest(W, h, 2 * stride, true)) / 3;
    s.E1 = (4 * s.E1_h - lowest(W, h, 2 * stride, false)) / 3;
    return s;
}

}  // namespace gdmft
