#include "dmft/transient_gate_rows.hpp"

#include "dmft/transient_dmft.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gdmft::detail {

FilterStep FilterStep::make(double dt, double tau) {
    FilterStep f;
    if (tau <= 0) return f;  // instantaneous: x = u
    // With x = dt/tau: a = e^{-x}, c1 = x E2(x), c0 = x (E1(x) - E2(x)), E1 = (1 - e^{-x})/x and
    // E2 = (x - 1 + e^{-x})/x^2 (the weights of u linear over the step). E2 by its series for small x,
    // where the closed form cancels (a slow filter, tau >> dt, must not lose its weights to rounding).
    const double x = dt / tau;
    f.a = std::exp(-x);
    const double E1 = -std::expm1(-x) / x;
    const double E2 = x < 1e-2 ? 0.5 - x / 6 + x * x / 24 - x * x * x / 120 + x * x * x * x / 720
                               : (x + std::expm1(-x)) / (x * x);
    f.c0 = x * (E1 - E2);
    f.c1 = x * E2;
    return f;
}

TransientGateRows::TransientGateRows(const ModelParams& p, const GateDrive& d, double t0, double dt, std::size_t n,
                                     double m0, double v0)
    : gate_(p.gate_r()), g2_(p.g_r * p.g_r), instantaneous_(p.tau_r == 0), n_(n), v0_(v0) {
    const FilterStep f = FilterStep::make(dt, p.tau_r);
    a_ = f.a, c0_ = f.c0, c1_ = f.c1;
    m_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double b = d.b_r(t0 + dt * double(k));
        if (instantaneous_)
            m_[k] = b;
        else if (k == 0)
            m_[k] = m0;
        else
            m_[k] = a_ * m_[k - 1] + c0_ * d.b_r(t0 + dt * double(k - 1)) + c1_ * b;
    }
    v_.assign(n, 0.0);
    ms_.assign(n, gate_.at_zero());
    cr_.assign(n, 0.0);
    if (!constant() && !instantaneous_) W_.assign(n * n, 0.0);
}

void TransientGateRows::start() {
    std::fill(v_.begin(), v_.end(), 0.0);
    if (!W_.empty()) std::fill(W_.begin(), W_.end(), 0.0);
}

const gauss::Rule& TransientGateRows::rule_for(double var) {
    // Rules on a ladder of variances (20% steps), each sized for the largest variance of its step: the
    // gate's nearest singularity is pi/alpha from the real axis, i.e. pi/(alpha sd) in standard units.
    const int idx = static_cast<int>(std::ceil(std::log(std::max(var, 1e-12)) / std::log(1.2)));
    auto it = rules_.find(idx);
    if (it != rules_.end()) return it->second;
    const double sd = std::sqrt(std::pow(1.2, idx));
    const double strip = std::numbers::pi / (std::abs(gate_.alpha) * sd);
    return rules_.emplace(idx, gauss::rule_for_strip(strip, 1e-11)).first->second;
}

void TransientGateRows::row(std::size_t k, const double* c, const double* prev, double* csr) {
    const double s0 = gate_.at_zero();
    if (constant()) {
        for (std::size_t j = 0; j <= k; ++j) csr[j] = s0 * s0;
        return;
    }
    if (instantaneous_) {
        for (std::size_t j = 0; j <= k; ++j) cr_[j] = g2_ * c[j];
    } else {
        auto W = [&](std::size_t l, std::size_t m) -> double& { return W_[l * n_ + m]; };
        // Column k: W(l, k), l = 0..k (C_phi(l, k) = c[l] by symmetry).
        W(0, k) = 0.0;
        for (std::size_t l = 1; l <= k; ++l) W(l, k) = a_ * W(l - 1, k) + g2_ * (c0_ * c[l - 1] + c1_ * c[l]);
        // Row k: W(k, m), m < k.
        for (std::size_t m = 0; m < k; ++m) W(k, m) = a_ * W(k - 1, m) + g2_ * (c0_ * prev[m] + c1_ * c[m]);
        cr_[0] = std::pow(a_, double(k)) * v0_;
        for (std::size_t j = 1; j <= k; ++j) cr_[j] = a_ * cr_[j - 1] + c0_ * W(k, j - 1) + c1_ * W(k, j);
    }
    v_[k] = std::max(0.0, cr_[k]);
    const Gate g = gate_;
    auto sig = [g](double u) { return g(u); };
    auto sig2 = [g](double u) {
        const double s = g(u);
        return s * s;
    };
    double vmax = v_[k];
    for (std::size_t j = 0; j < k; ++j) vmax = std::max(vmax, v_[j]);
    const gauss::Rule& rule = rule_for(vmax);
    const double mk = m_[k], vk = v_[k];
    csr[k] = gauss::mean(sig2, mk, vk, rule);
    ms_[k] = gauss::mean(sig, mk, vk, rule);
#pragma omp parallel for schedule(dynamic, 16)
    for (std::ptrdiff_t jj = 0; jj < static_cast<std::ptrdiff_t>(k); ++jj) {
        const auto j = static_cast<std::size_t>(jj);
        const double cov = std::clamp(cr_[j], -std::sqrt(vk * v_[j]), std::sqrt(vk * v_[j]));
        csr[j] = gauss::bivariate(sig, sig, mk, vk, m_[j], v_[j], cov, rule);
    }
}

}  // namespace gdmft::detail
