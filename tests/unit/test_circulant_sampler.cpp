// Circulant-embedding sampler: sampled covariance against the target, clipped weight, white noise.
#include "numerics/circulant_sampler.hpp"
#include "numerics/stats.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace gdmft;

namespace {

std::vector<double> exponential_cov(std::size_t n, double dt, double tau) {
    std::vector<double> c(n);
    for (std::size_t k = 0; k < n; ++k) c[k] = std::exp(-double(k) * dt / tau);
    return c;
}

// Per-path circular lag products (1/m) sum_t x(t) y((t+k) mod m): exact-stationary estimates on the circle.
double circ_lag(const std::vector<double>& x, const std::vector<double>& y, std::size_t k) {
    const std::size_t m = x.size();
    double s = 0;
    for (std::size_t t = 0; t < m; ++t) s += x[t] * y[(t + k) % m];
    return s / m;
}

}  // namespace

TEST_CASE("white noise: standard normal moments and reproducible streams") {
    const std::size_t N = 1 << 20;
    std::vector<double> x(N);
    WhiteNoise::fill(stream_key(gdmft_test::seed(7), 1, 2), x.data(), N);
    double m1 = 0, m2 = 0, m4 = 0, tail = 0;
    for (double v : x) {
        m1 += v;
        m2 += v * v;
        m4 += v * v * v * v;
        tail += std::abs(v) > 3 ? 1 : 0;
    }
    m1 /= N, m2 /= N, m4 /= N, tail /= N;
    // Over GDMFT_TEST_SEED_OFFSET 1-16 the four z scores had sd 0.8-1.3 and max |z| 3.0: 5 is >= 3.7 sd.
    // Standard errors for N = 2^20 draws: mean 1/sqrt(N) = 9.8e-4; <x^2> sqrt(2/N) = 1.4e-3;
    // <x^4> sqrt((105-9)/N) = 9.6e-3; P(|x|>3) = 0.0026998 (normal table), SE sqrt(p(1-p)/N) = 5.1e-5.
    CHECK(std::abs(m1) < 5 * 9.8e-4);
    CHECK(std::abs(m2 - 1) < 5 * 1.4e-3);
    CHECK(std::abs(m4 - 3) < 5 * 9.6e-3);
    CHECK(std::abs(tail - 0.0026998) < 5 * 5.1e-5);
    std::vector<double> y(16), z(16);
    WhiteNoise::fill(stream_key(gdmft_test::seed(7), 1, 2), y.data(), 16);
    WhiteNoise::fill(stream_key(gdmft_test::seed(7), 1, 3), z.data(), 16);
    for (int i = 0; i < 16; ++i) CHECK(y[i] == x[i]);
    CHECK(y[0] != z[0]);
    std::vector<float> f(16);
    WhiteNoise::fill(stream_key(gdmft_test::seed(7), 1, 2), f.data(), 16);
    for (int i = 0; i < 16; ++i) CHECK(f[i] == static_cast<float>(x[i]));
}

TEST_CASE("decayed covariance: no clipped weight, sampled covariance matches within standard errors") {
    const double dt = 0.1, tau = 1.0;
    const std::size_t n = 401, m = 1024;  // window 40 tau: c(window) = e^-40, nothing to clip
    const auto c = exponential_cov(n, dt, tau);
    CirculantSampler s(m);
    CHECK(s.set_covariance(c) == 0.0);
    CHECK(s.sampled_variance() == doctest::Approx(1.0).epsilon(1e-12));

    const int pairs = 400;
    const std::vector<std::size_t> lags{0, 5, 10, 20, 40};
    std::vector<std::vector<double>> est(lags.size()), cross(1), mean(1);
    CirculantSampler::Workspace ws(m);
    std::vector<double> a(m), b(m);
    for (int p = 0; p < pairs; ++p) {
        s.draw_pair(stream_key(gdmft_test::seed(11), p), a.data(), b.data(), ws);
        for (std::size_t i = 0; i < lags.size(); ++i) {
            est[i].push_back(circ_lag(a, a, lags[i]));
            est[i].push_back(circ_lag(b, b, lags[i]));
        }
        cross[0].push_back(circ_lag(a, b, 0));
        double sa = 0, sb = 0;
        for (std::size_t t = 0; t < m; ++t) sa += a[t], sb += b[t];
        mean[0].push_back(sa / m);
        mean[0].push_back(sb / m);
    }
    // 800 independent paths of 102.4 tau each. The standard error of a per-path lag estimate is about
    // sqrt(2 tau / T) / sqrt(800) = 0.005 at lag 0; we use the measured spread and allow 4 standard errors.
    // Over GDMFT_TEST_SEED_OFFSET 1-16: z sd 0.87-1.07 per lag, max |z| 2.2, standard error <= 0.0052.
    for (std::size_t i = 0; i < lags.size(); ++i) {
        const auto me = mean_err(est[i]);
        INFO("lag " << lags[i] << ": sampled " << me.mean << " +- " << me.stderr_ << ", target " << c[lags[i]]);
        CHECK(me.stderr_ < 0.01);
        CHECK(std::abs(me.mean - c[lags[i]]) < 4 * me.stderr_);
    }
    // Re and Im parts are independent; the paths have zero mean.
    // Over GDMFT_TEST_SEED_OFFSET 1-16: cross z sd 1.34, max |z| 3.07 (4 would be 3.0 sd): 5; path-mean z sd
    // 0.92, max 1.65.
    const auto cr = mean_err(cross[0]);
    CHECK(std::abs(cr.mean) < 5 * cr.stderr_);
    const auto mn = mean_err(mean[0]);
    CHECK(std::abs(mn.mean) < 4 * mn.stderr_);

    // The same key gives the same paths (common random numbers).
    std::vector<double> a2(m), b2(m);
    s.draw_pair(stream_key(gdmft_test::seed(11), pairs - 1), a2.data(), b2.data(), ws);
    for (std::size_t t = 0; t < m; t += 97) CHECK(a2[t] == a[t]);
}

TEST_CASE("truncated covariance: clipped weight is positive and reported, variance inflated by it") {
    const double dt = 0.1, tau = 1.0;
    // Cut where the covariance is still 9% of its peak: (n-1) dt = tau ln(1/0.09) = 2.41.
    const std::size_t n = 25, m = 1024;
    const auto c = exponential_cov(n, dt, tau);
    REQUIRE(c.back() == doctest::Approx(0.0907).epsilon(0.01));
    CirculantSampler s(m);
    const double clipped = s.set_covariance(c);
    CHECK(clipped > 1e-3);
    // sum lambda = m c(0), so after clipping the drawn variance is c(0) / (1 - clipped).
    CHECK(s.sampled_variance() == doctest::Approx(1.0 / (1.0 - clipped)).epsilon(1e-12));
    CHECK(s.sampled_variance() > 1.0);

    CirculantSampler::Workspace ws(m);
    std::vector<double> a(m), b(m), v;
    for (int p = 0; p < 300; ++p) {
        s.draw_pair(stream_key(gdmft_test::seed(5), p), a.data(), b.data(), ws);
        v.push_back(circ_lag(a, a, 0));
        v.push_back(circ_lag(b, b, 0));
    }
    const auto me = mean_err(v);
    INFO("sampled variance " << me.mean << " +- " << me.stderr_ << ", predicted " << s.sampled_variance());
    // Over GDMFT_TEST_SEED_OFFSET 1-16: z sd 0.92, max |z| 2.0.
    CHECK(std::abs(me.mean - s.sampled_variance()) < 4 * me.stderr_);
}

TEST_CASE("single-precision draw of float noise agrees with the double-precision transform of the same noise") {
    // Independent method: the same float noise, widened to double, through the double FFT plan.
    const std::size_t n = 301, m = 1000;
    const auto c = exponential_cov(n, 0.1, 2.0);
    CirculantSampler s(m);
    s.set_covariance(c);
    CirculantSampler::Workspace ws(m);
    std::vector<float> xf(2 * m);
    WhiteNoise::fill(stream_key(gdmft_test::seed(3), 9), xf.data(), xf.size());
    const std::vector<double> xd(xf.begin(), xf.end());
    std::vector<double> af(m), bf(m), ad(m), bd(m);
    s.draw_pair(xf.data(), af.data(), bf.data(), ws);
    s.draw_pair(xd.data(), ad.data(), bd.data(), ws);
    double worst = 0;
    for (std::size_t t = 0; t < m; ++t) worst = std::max({worst, std::abs(af[t] - ad[t]), std::abs(bf[t] - bd[t])});
    // Single-precision rounding: ~6e-8 per operation, times ~log2(m) stages, on paths of unit variance.
    CHECK(worst < 2e-5);
    CHECK(worst > 0);  // really the single-precision path
}

TEST_CASE("sampler rejects covariances longer than half the circle") {
    CirculantSampler s(64);
    CHECK_THROWS(s.set_covariance(std::vector<double>(40, 0.1)));
    CHECK_NOTHROW(s.set_covariance(std::vector<double>(33, 0.0)));
}
