#include "dmft/gate_statistics.hpp"

#include "numerics/fft.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/errors.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gdmft {

LagFilter::LagFilter(std::size_t n, double dt) : n_(n), m_(2 * (n - 1)), dt_(dt) {
    if (n < 2) throw BadInput("n", "need at least 2 lags (LagFilter)");
    std::lock_guard lock(fft::planner_mutex());
    buf_ = fftw_alloc_real(m_);
    spec_ = fftw_alloc_complex(m_ / 2 + 1);
    fwd_ = fftw_plan_dft_r2c_1d(static_cast<int>(m_), buf_, spec_, FFTW_ESTIMATE);
    inv_ = fftw_plan_dft_c2r_1d(static_cast<int>(m_), spec_, buf_, FFTW_ESTIMATE);
}

LagFilter::~LagFilter() {
    std::lock_guard lock(fft::planner_mutex());
    fftw_destroy_plan(fwd_);
    fftw_destroy_plan(inv_);
    fftw_free(buf_);
    fftw_free(spec_);
}

std::vector<double> LagFilter::apply(const std::vector<double>& C, double q, double tau) {
    if (C.size() != n_) throw BadInput("C", "size mismatch (LagFilter)");
    if (tau == 0) return C;
    // Even extension of C - q on a circle of length m = 2(n-1): values at k and m-k coincide.
    for (std::size_t k = 0; k < n_; ++k) buf_[k] = C[k] - q;
    for (std::size_t k = n_; k < m_; ++k) buf_[k] = C[m_ - k] - q;
    fftw_execute(fwd_);
    // Exact transfer of the discrete filter: (1 + w^2 tau^2)^-1 with w the discrete-Laplacian frequency
    // would differ at O(dt^2); use the continuous transfer 1/(1 + (w tau)^2) at w = 2 pi j / (m dt).
    for (std::size_t j = 0; j < m_ / 2 + 1; ++j) {
        const double w = 2 * std::numbers::pi * j / (m_ * dt_);
        const double gain = 1.0 / (1.0 + w * w * tau * tau) / m_;
        spec_[j][0] *= gain;
        spec_[j][1] *= gain;
    }
    fftw_execute(inv_);
    std::vector<double> out(n_);
    for (std::size_t k = 0; k < n_; ++k) out[k] = q + buf_[k];
    return out;
}

std::vector<double> gate_pair_moment(const Gate& g, const std::vector<double>& Cx) {
    if (Cx.empty()) return {};
    if (g.constant()) return std::vector<double>(Cx.size(), g.at_zero() * g.at_zero());
    return gauss::stationary_pair([&](double u) { return g(u); }, 0.0, Cx[0], Cx);
}

double gate_mean(const Gate& g, double var) {
    return gauss::mean([&](double u) { return g(u); }, 0.0, var);
}

double gate_mean_sq(const Gate& g, double var) {
    return gauss::mean([&](double u) { const double s = g(u); return s * s; }, 0.0, var);
}

}  // namespace gdmft
