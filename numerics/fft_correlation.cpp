#include "numerics/fft_correlation.hpp"

#include "numerics/fft.hpp"
#include "numerics/errors.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace gdmft {

Autocorrelator::Autocorrelator(std::size_t n, std::size_t max_lag)
    : n_(n), max_lag_(n == 0 ? 0 : std::min(max_lag, n - 1)), m_(fft::good_size(n + max_lag_ + 1)) {
    if (n == 0) throw BadInput("series", "empty series (Autocorrelator)");
    std::lock_guard lock(fft::planner_mutex());
    buf_ = fftw_alloc_real(m_);
    spec_ = fftw_alloc_complex(m_ / 2 + 1);
    spec2_ = fftw_alloc_complex(m_ / 2 + 1);
    fwd_ = fftw_plan_dft_r2c_1d(static_cast<int>(m_), buf_, spec_, FFTW_ESTIMATE);
    inv_ = fftw_plan_dft_c2r_1d(static_cast<int>(m_), spec_, buf_, FFTW_ESTIMATE);
}

Autocorrelator::~Autocorrelator() {
    std::lock_guard lock(fft::planner_mutex());
    fftw_destroy_plan(fwd_);
    fftw_destroy_plan(inv_);
    fftw_free(buf_);
    fftw_free(spec_);
    fftw_free(spec2_);
}

void Autocorrelator::check_lag(std::size_t max_lag) const {
    if (max_lag > max_lag_ && max_lag < n_)
        throw BadInput("max_lag", "exceeds the largest lag the Autocorrelator was padded for");
}

void Autocorrelator::forward(const double* x, std::ptrdiff_t stride) {
    for (std::size_t t = 0; t < n_; ++t) buf_[t] = x[t * stride];
    std::fill(buf_ + n_, buf_ + m_, 0.0);
    fftw_execute(fwd_);
}

void Autocorrelator::inverse_into(double* acc, std::size_t max_lag) {
    fftw_execute(inv_);
    const double norm = 1.0 / static_cast<double>(m_);
    for (std::size_t k = 0; k <= max_lag && k < n_; ++k) acc[k] += buf_[k] * norm;
}

void Autocorrelator::accumulate_lag_sums(const double* x, std::ptrdiff_t stride, double* acc,
                                         std::size_t max_lag) {
    check_lag(max_lag);
    forward(x, stride);
    for (std::size_t k = 0; k < m_ / 2 + 1; ++k) {
        spec_[k][0] = spec_[k][0] * spec_[k][0] + spec_[k][1] * spec_[k][1];
        spec_[k][1] = 0;
    }
    inverse_into(acc, max_lag);
}

void Autocorrelator::accumulate_cross_sums(const double* x, const double* y, double* acc,
                                           std::size_t max_lag) {
    check_lag(max_lag);
    forward(y, 1);
    std::memcpy(spec2_, spec_, sizeof(fftw_complex) * (m_ / 2 + 1));
    forward(x, 1);
    // sum_t x(t) y(t+k)  <->  conj(X) Y
    for (std::size_t k = 0; k < m_ / 2 + 1; ++k) {
        const double re = spec_[k][0] * spec2_[k][0] + spec_[k][1] * spec2_[k][1];
        const double im = spec_[k][0] * spec2_[k][1] - spec_[k][1] * spec2_[k][0];
        spec_[k][0] = re;
        spec_[k][1] = im;
    }
    inverse_into(acc, max_lag);
}

void Autocorrelator::add_power(const double* x, std::ptrdiff_t stride, std::vector<double>& power) {
    if (power.size() != power_size()) throw BadInput("power", "needs power_size() entries (Autocorrelator)");
    forward(x, stride);
    for (std::size_t k = 0; k < m_ / 2 + 1; ++k) power[k] += spec_[k][0] * spec_[k][0] + spec_[k][1] * spec_[k][1];
}

void Autocorrelator::flush_power(std::vector<double>& power, double* acc, std::size_t max_lag) {
    check_lag(max_lag);
    if (power.size() != power_size()) throw BadInput("power", "needs power_size() entries (Autocorrelator)");
    for (std::size_t k = 0; k < m_ / 2 + 1; ++k) {
        spec_[k][0] = power[k];
        spec_[k][1] = 0;
        power[k] = 0;
    }
    inverse_into(acc, max_lag);
}

std::vector<double> mean_autocorrelation(const Eigen::MatrixXd& series, std::size_t max_lag) {
    const std::size_t n = series.rows();
    const std::ptrdiff_t cols = series.cols();
    max_lag = std::min(max_lag, n - 1);
    const int threads = omp_get_max_threads();
    // Fixed partition of columns into `blocks` chunks, independent of thread count, so sums are reproducible.
    const int blocks = 8;
    std::vector<std::vector<double>> partial(blocks, std::vector<double>(max_lag + 1, 0.0));
    std::vector<std::unique_ptr<Autocorrelator>> workers(threads);
    for (auto& w : workers) w = std::make_unique<Autocorrelator>(n, max_lag);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < blocks; ++b) {
        Autocorrelator& ac = *workers[omp_get_thread_num()];
        for (std::ptrdiff_t c = b * cols / blocks; c < (b + 1) * cols / blocks; ++c)
            ac.accumulate_lag_sums(series.col(c).data(), 1, partial[b].data(), max_lag);
    }
    std::vector<double> out(max_lag + 1, 0.0);
    for (const auto& p : partial)
        for (std::size_t k = 0; k <= max_lag; ++k) out[k] += p[k];
    for (std::size_t k = 0; k <= max_lag; ++k) out[k] /= static_cast<double>(cols) * static_cast<double>(n - k);
    return out;
}

}  // namespace gdmft
