#pragma once
// Two-time statistics of the output gate for the transient DMFT (dmft/transient_dmft.hpp).
//
// r is Gaussian: tau_r r' = -r + eta_r + b_r(t), <eta_r eta_r>(t,t') = g_r^2 C_phi(t,t'), started at
// t_0 with mean m0 and Var r(t_0) = v0, independent of the fields that follow (tau_r = 0: r = eta_r + b_r). On the
// grid it is advanced by the exponential integrator with inputs linear over a step (detail::FilterStep),
//     r_k = a r_{k-1} + c0 (eta_{k-1} + b_{k-1}) + c1 (eta_k + b_k),
// so its mean m_k is the filtered drive and its covariance follows row by row from C_phi, causally:
//     W(l, m) = Cov(r_l, eta_m):  W(l, m) = a W(l-1, m) + g_r^2 (c0 C_phi(l-1, m) + c1 C_phi(l, m)),  W(0, m) = 0,
//     C_r(k, j) = a C_r(k, j-1) + c0 W(k, j-1) + c1 W(k, j),  C_r(k, 0) = a^k v0.
// C_sr(k, j) = <sigma_r(r_k) sigma_r(r_j)> is the bivariate Gaussian average (numerics/gaussian_average,
// with a trapezoid rule sized by the gate's steepness); C_sr(k, k) = <sigma_r^2>.
#include "dmft/gate_drive.hpp"
#include "dmft/model.hpp"
#include "numerics/gaussian_average.hpp"

#include <map>
#include <vector>

namespace gdmft::detail {

class TransientGateRows {
public:
    // n grid points t_k = t0 + k dt.
    TransientGateRows(const ModelParams& p, const GateDrive& d, double t0, double dt, std::size_t n, double m0,
                      double v0);
    bool constant() const { return gate_.constant(); }
    // Row k: c[0..k] = C_phi(k, 0..k) (raw), prev[0..k-1] = C_phi(k-1, 0..k-1). Fills csr[0..k] with
    // C_sr(k, 0..k). Rows must be given in order k = 0, 1, ...; start() rewinds.
    void row(std::size_t k, const double* c, const double* prev, double* csr);
    void start();
    double mean_r(std::size_t k) const { return m_[k]; }
    double var_r(std::size_t k) const { return v_[k]; }      // valid for rows already given
    double mean_sigma(std::size_t k) const { return ms_[k]; } // <sigma_r(r_k)>, rows already given

private:
    const gauss::Rule& rule_for(double var);
    Gate gate_;
    double g2_;
    double a_, c0_, c1_;
    bool instantaneous_;
    std::size_t n_;
    double v0_;
    std::vector<double> m_, v_, ms_, cr_, W_;
    std::map<int, gauss::Rule> rules_;
};

}  // namespace gdmft::detail
