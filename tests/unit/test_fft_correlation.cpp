// FFT autocorrelation against the direct O(n^2) sum (an independent method).
#include "numerics/fft_correlation.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace gdmft;

TEST_CASE("FFT autocorrelation equals the direct unbiased lag sums") {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> nd;
    const int n = 301, cols = 13, max_lag = 120;
    Eigen::MatrixXd x(n, cols);
    for (int c = 0; c < cols; ++c)
        for (int t = 0; t < n; ++t) x(t, c) = nd(rng) + (t > 0 ? 0.8 * x(t - 1, c) : 0.0);
    const auto fast = mean_autocorrelation(x, max_lag);
    REQUIRE(fast.size() == max_lag + 1);
    for (int k = 0; k <= max_lag; ++k) {
        double direct = 0;
        for (int c = 0; c < cols; ++c)
            for (int t = 0; t + k < n; ++t) direct += x(t, c) * x(t + k, c);
        direct /= double(cols) * (n - k);
        CHECK(fast[k] == doctest::Approx(direct).epsilon(1e-10));
    }
}

TEST_CASE("FFT cross-correlation equals the direct sum") {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> nd;
    const int n = 64;
    std::vector<double> x(n), y(n), acc(n, 0.0);
    for (int t = 0; t < n; ++t) { x[t] = nd(rng); y[t] = nd(rng); }
    Autocorrelator ac(n);
    ac.accumulate_cross_sums(x.data(), y.data(), acc.data(), n - 1);
    for (int k = 0; k < n; ++k) {
        double direct = 0;
        for (int t = 0; t + k < n; ++t) direct += x[t] * y[t + k];
        CHECK(acc[k] == doctest::Approx(direct).epsilon(1e-10));
    }
}

TEST_CASE("power-spectrum accumulation with padding for the needed lags only equals the direct sums") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> nd;
    const std::size_t n = 200, max_lag = 30, series = 5, stride = 3;
    // Series stored interleaved with a stride, as the sampler's path blocks are.
    std::vector<double> x(n * stride);
    Autocorrelator ac(n, max_lag);
    CHECK(ac.max_lag() == max_lag);
    std::vector<double> power(ac.power_size(), 0.0), acc(max_lag + 1, 0.0), direct(max_lag + 1, 0.0);
    for (std::size_t s = 0; s < series; ++s) {
        for (std::size_t t = 0; t < n; ++t) x[t * stride] = nd(rng) + (t > 0 ? 0.9 * x[(t - 1) * stride] : 0.0);
        for (std::size_t k = 0; k <= max_lag; ++k)
            for (std::size_t t = 0; t + k < n; ++t) direct[k] += x[t * stride] * x[(t + k) * stride];
        ac.add_power(x.data(), stride, power);
    }
    ac.flush_power(power, acc.data(), max_lag);
    for (std::size_t k = 0; k <= max_lag; ++k) CHECK(acc[k] == doctest::Approx(direct[k]).epsilon(1e-10));
    // flush_power zeroes the accumulator: a second flush adds nothing.
    ac.flush_power(power, acc.data(), max_lag);
    CHECK(acc[0] == doctest::Approx(direct[0]).epsilon(1e-10));
    // Lags beyond the padding would wrap around: refused.
    CHECK_THROWS(ac.accumulate_lag_sums(x.data(), stride, acc.data(), max_lag + 1));
}
