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
