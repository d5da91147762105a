// The sampled single site (dmft/single_site_sampler): vectorisable exp/tanh, the integrator and estimators
// against closed forms for a linear (constant-clock) site, the clock statistics, and thread independence.
#include "dmft/gate_statistics.hpp"
#include "dmft/single_site_sampler.hpp"
#include "numerics/stats.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <vector>

using namespace gdmft;

TEST_CASE("fast_exp and fast_tanh agree with the C library") {
    double worst_exp = 0, worst_tanh = 0;
    for (double x = -700; x <= 700; x += 0.0137) {
        worst_exp = std::max(worst_exp, std::abs(detail::fast_exp(x) / std::exp(x) - 1));
    }
    for (double x = -30; x <= 30; x += 0.00123) worst_tanh = std::max(worst_tanh, std::abs(detail::fast_tanh(x) - std::tanh(x)));
    MESSAGE("max relative error of fast_exp " << worst_exp << ", max absolute error of fast_tanh " << worst_tanh);
    CHECK(worst_exp < 1e-15);
    CHECK(worst_tanh < 1e-15);
    CHECK(detail::fast_exp(-1e4) == doctest::Approx(std::exp(-708.0)));
    CHECK(detail::fast_tanh(0.0) == 0.0);
}

namespace {

// c0 / cosh(k dt / a) on n lags: a smooth covariance for the fields of a test.
std::vector<double> sech_lags(std::size_t n, double dt, double c0, double a) {
    std::vector<double> c(n);
    for (std::size_t k = 0; k < n; ++k) c[k] = c0 / std::cosh(double(k) * dt / a);
    return c;
}

// Linear site with a constant clock s0 = sigma_z(0) = 1/2 (alpha_z = 0) driven by an OU-like drive
// <eta eta>(u) = K0 e^{-|u|/a}. For the exact exponential step h' = e h + (1 - e) eta_t, e = e^{-s0 dt/tau_h},
// with rho = e^{-dt/a}, the stationary lag-k covariance is
//   C_h(k) = K0 (1-e)^2 sum_{j,l>=0} e^{j+l} rho^{|k+j-l|}  (summed directly below).
double discrete_Ch(double K0, double e, double rho, int k) {
    double s = 0;
    for (int j = 0; j < 3000; ++j)
        for (int l = 0; l < 3000; ++l) s += std::pow(e, j + l) * std::pow(rho, std::abs(k + j - l));
    return K0 * (1 - e) * (1 - e) * s;
}

}  // namespace

TEST_CASE("linear site: C_h against the exact discrete covariance, R against the closed form") {
    ModelParams p;  // alpha_z = 0: clock sigma_z(0) = 1/2
    const double dt = 0.05, a = 2.0, K0 = 1.5;
    const std::size_t n = 601;
    const double e = std::exp(-0.5 * dt), rho = std::exp(-dt / a);
    const std::vector<int> lags{0, 21, 62};
    std::vector<double> exact;
    for (int k : lags) exact.push_back(discrete_Ch(K0, e, rho, k));
    // The continuum limit K0 s0 a / (tau_h + s0 a) is within O(dt^2) of the discrete value.
    CHECK(exact[0] == doctest::Approx(K0 * 0.5 * a / (1 + 0.5 * a)).epsilon(1e-3));
    SiteFields f;
    f.eta_dyn.resize(n);
    for (std::size_t k = 0; k < n; ++k) f.eta_dyn[k] = K0 * std::exp(-double(k) * dt / a);
    // Lag products on every sample, and on every 4th sample interpolated to the grid.
    for (const double lag_step : {0.0, 0.2}) {
        const SiteGrid g = SiteGrid::make(n, dt, 3 * n, lag_step);
        CHECK(g.stride == (lag_step == 0 ? 1u : 4u));
        std::vector<std::vector<double>> est(lags.size());
        SiteMeasurement last;
        for (int seed = 1; seed <= 6; ++seed) {
            SingleSiteSampler smp(p, g, 256, gdmft_test::seed(seed));
            last = smp.run(f, 256, true);
            for (std::size_t i = 0; i < lags.size(); ++i) est[i].push_back(last.C_h[lags[i]]);
        }
        // Six independent random sets of 256 paths (measured 1536 x 90 tau_h): standard errors ~0.5-1.2%.
        // The former check, 4 standard errors of six sets (Student t with 5 degrees of freedom: 1% two-sided
        // per lag), is replaced by fixed relative tolerances from the spread over GDMFT_TEST_SEED_OFFSET 1-16:
        // the relative deviation of the six-set mean had mean -0.08%, -0.09%, -0.15% and sd 0.69%, 0.76%,
        // 1.26% at lags 0, 21, 62 (the same at both strides); tolerance |mean| + 4.5 sd = 3.2%, 3.5%, 5.8%.
        // (The former bound on the standard error, < 2% of the value, failed at lag 62: measured 1.22% +-
        // 0.31%, max 2.03%; it is dropped, the fixed tolerance does not depend on it.)
        const double rel_tol[] = {0.032, 0.035, 0.058};
        for (std::size_t i = 0; i < lags.size(); ++i) {
            const auto me = mean_err(est[i]);
            INFO("stride " << g.stride << ", lag " << lags[i] << ": sampled " << me.mean << " +- " << me.stderr_
                           << ", exact " << exact[i]);
            CHECK(std::abs(me.mean - exact[i]) < rel_tol[i] * exact[i]);
        }
        // Response kernel at a constant clock: (s0/tau_h) e^{-s0 tau/tau_h}, exactly on the grid.
        for (std::size_t k : {0ul, 10ul, 100ul, 600ul})
            CHECK(last.R[k] == doctest::Approx(0.5 * std::exp(-0.5 * dt * double(k))).epsilon(1e-12));
        CHECK(last.mean_sigma_z == doctest::Approx(0.5).epsilon(1e-15));
        // The drive's sampled variance is the target's (one set of 256 paths: measured over offsets 1-16
        // sd 0.87%, max |.| 2.4%, which failed the former 2%; 4.5 sd = 3.9%).
        CHECK(last.var_eta == doctest::Approx(K0).epsilon(0.04));
    }
}

TEST_CASE("lag interpolation from a coarse stride reproduces a smooth covariance") {
    // Deterministic check of the interpolation alone: a sech covariance on scale 2 tau_h, stride 4 x 0.05.
    ModelParams p;
    const std::size_t n = 401;
    const SiteGrid g = SiteGrid::make(n, 0.05, 3 * n, 0.2);
    REQUIRE(g.stride == 4);
    REQUIRE(g.coarse_lags() == 103);
    std::vector<double> coarse(g.coarse_lags());
    for (std::size_t j = 0; j < coarse.size(); ++j) coarse[j] = 1 / std::cosh(0.2 * double(j) / 2);
    const auto fine = detail::refine_lags(coarse, 4, n);
    double worst = 0;
    for (std::size_t k = 0; k < n; ++k) worst = std::max(worst, std::abs(fine[k] - 1 / std::cosh(0.05 * double(k) / 2)));
    // Lagrange error bound 0.023 h^4 max|f| with h = 0.2 and |f| <= 5/16 for sech(u/2): 1.2e-5.
    CHECK(worst < 1.2e-5);
    CHECK(fine[0] == 1.0);
    CHECK(fine[8] == coarse[2]);
}

TEST_CASE("fluctuating clock: z statistics and the gate average, static parts") {
    ModelParams p;
    p.alpha_z = 3.0;
    p.beta_z = 0.5;
    const double dt = 0.05;
    const std::size_t n = 401;
    const SiteGrid g = SiteGrid::make(n, dt, 3 * n);
    SiteFields f;
    f.eta_dyn = sech_lags(n, dt, 1.0, 1.5);
    f.z_dyn = sech_lags(n, dt, 0.4, 1.0);
    f.z_static = 0.1;
    f.eta_static = 0.2;
    std::vector<double> msz, vz, veta;
    for (int seed = 1; seed <= 6; ++seed) {
        SingleSiteSampler smp(p, g, 256, gdmft_test::seed(100 + seed));
        const auto m = smp.run(f, 256, true);
        msz.push_back(m.mean_sigma_z);
        vz.push_back(m.var_z);
        veta.push_back(m.var_eta);
    }
    // z ~ N(0, 0.4 + 0.1): <sigma_z> is a Gaussian average; variances add (dynamic + static).
    const double expect_sigma = gate_mean(p.gate_z(), 0.5);
    const auto a = mean_err(msz), b = mean_err(vz), c = mean_err(veta);
    // Fixed tolerances from the spread over GDMFT_TEST_SEED_OFFSET 1-16 (the former 4 standard errors of six
    // sets failed at offset 14: |z| up to 7.2 for <sigma_z>, a six-set standard error can come out tiny):
    // <sigma_z> - exact: mean +0.0003, sd 0.0015 -> 0.007; var z - 0.5: mean -0.0001, sd 0.0042 -> 0.019;
    // var eta - 1.2: mean +0.004, sd 0.0086 -> 0.043 (|mean| + 4.5 sd).
    INFO("<sigma_z> " << a.mean << " +- " << a.stderr_ << " vs " << expect_sigma);
    CHECK(std::abs(a.mean - expect_sigma) < 0.007);
    INFO("var z " << b.mean << " +- " << b.stderr_);
    CHECK(std::abs(b.mean - 0.5) < 0.019);
    INFO("var eta " << c.mean << " +- " << c.stderr_);
    CHECK(std::abs(c.mean - 1.2) < 0.043);
}

TEST_CASE("the same random set gives the same measurement on 1 and 2 threads") {
    ModelParams p;
    p.alpha_z = 5.0;
    p.input_mean = 0.3;
    p.input_std = 0.5;
    const std::size_t n = 201;
    const SiteGrid g = SiteGrid::make(n, 0.05, 3 * n);
    SiteFields f;
    f.eta_dyn = sech_lags(n, 0.05, 2.0, 2.0);
    f.z_dyn = sech_lags(n, 0.05, 0.5, 2.0);
    f.eta_static = 0.3;
    f.z_static = 0.05;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    SingleSiteSampler s1(p, g, 200, 42);
    const auto m1 = s1.run(f, 200, true);
    omp_set_num_threads(2);
    SingleSiteSampler s2(p, g, 200, 42);
    const auto m2 = s2.run(f, 200, true);
    // Noise redrawn on every call (tiny budget) must equal the stored noise.
    SingleSiteSampler s3(p, g, 200, 42, 0);
    CHECK_FALSE(s3.noise_stored());
    const auto m3 = s3.run(f, 200, true);
    // The per-thread buffers a sampler keeps between calls: the same sampler again at 1 thread, after
    // its 2-thread call (buffers of an earlier, larger call are reused), gives the same bits.
    omp_set_num_threads(1);
    const auto m2b = s2.run(f, 200, true);
    omp_set_num_threads(saved);
    for (std::size_t k = 0; k < n; k += 20) {
        CHECK(m2b.C_phi[k] == m2.C_phi[k]);
        CHECK(m2b.R[k] == m2.R[k]);
    }
    for (std::size_t k = 0; k < n; k += 20) {
        CHECK(m1.C_phi[k] == m2.C_phi[k]);
        CHECK(m1.C_h[k] == m2.C_h[k]);
        CHECK(m1.R[k] == m2.R[k]);
        CHECK(m1.C_phi[k] == m3.C_phi[k]);
    }
    CHECK(m1.mean_h == m2.mean_h);
    // A different random set differs.
    SingleSiteSampler s4(p, g, 200, 43);
    CHECK(s4.run(f, 200, false).C_phi[0] != m1.C_phi[0]);
    // The first paths of a larger set are the same paths (common random numbers across path counts).
    SingleSiteSampler s5(p, g, 400, 42);
    CHECK(s5.run(f, 200, false).C_phi[0] == m1.C_phi[0]);
    // Noise drawn on first use: running 200 then all 400 paths equals a fresh sampler running 400.
    const auto m5 = s5.run(f, 400, true);
    SingleSiteSampler s6(p, g, 400, 42);
    const auto m6 = s6.run(f, 400, true);
    // reseed switches to another random set as if newly constructed with its seed, and back.
    s6.reseed(43);
    const auto m7 = s6.run(f, 200, true);
    s6.reseed(42);
    const auto m8 = s6.run(f, 400, true);
    for (std::size_t k = 0; k < n; k += 20) {
        CHECK(m5.C_phi[k] == m6.C_phi[k]);
        CHECK(m5.C_h[k] == m6.C_h[k]);
        CHECK(m8.C_phi[k] == m6.C_phi[k]);
        CHECK(m8.R[k] == m6.R[k]);
    }
    const auto m4 = s4.run(f, 200, true);
    CHECK(m7.C_phi[0] == m4.C_phi[0]);
    CHECK(m7.C_h[n / 2] == m4.C_h[n / 2]);
    CHECK(m7.mean_h == m4.mean_h);
}

TEST_CASE("the map evaluation (fused over time tiles) measures the same C_phi as the full measurement") {
    // run(full = false) integrates in tiles straight from the FFT buffers; run(full = true) forms the
    // full-length arrays. The arithmetic per step is the same, so the two agree bit for bit: with a
    // fluctuating and a constant clock, a lag stride of 1 and 3 (the coarse samples), stored and redrawn
    // noise, tanh and erf, and a path length that is not a multiple of the tile.
    struct Case {
        double alpha_z, max_lag_step;
        PhiKind phi;
        std::size_t noise_budget;
    };
    for (const Case c : {Case{5.0, 0.0, PhiKind::Tanh, std::size_t(1) << 30}, Case{5.0, 0.15, PhiKind::Tanh, 0},
                         Case{0.0, 0.15, PhiKind::Tanh, std::size_t(1) << 30}, Case{2.0, 0.1, PhiKind::Erf, 0}}) {
        ModelParams p;
        p.alpha_z = c.alpha_z;
        p.phi = c.phi;
        p.input_mean = 0.2;
        p.input_std = 0.4;
        const std::size_t n = 151;
        const SiteGrid g = SiteGrid::make(n, 0.05, 3 * n + 7, c.max_lag_step);
        SiteFields f;
        f.eta_dyn = sech_lags(n, 0.05, 1.5, 1.5);
        f.z_dyn = sech_lags(n, 0.05, 0.6, 1.0);
        f.eta_static = 0.2;
        f.z_static = 0.1;
        SingleSiteSampler smp(p, g, 136, 7, c.noise_budget);
        const auto fused = smp.run(f, 136, false);
        const auto full = smp.run(f, 136, true);
        INFO("alpha_z " << c.alpha_z << ", stride " << g.stride << ", m " << g.m << ", noise stored " << smp.noise_stored());
        CHECK(g.m % 64 != 0);
        CHECK(fused.C_phi.size() == n);
        int differ = 0;
        for (std::size_t k = 0; k < n; ++k) differ += fused.C_phi[k] != full.C_phi[k];
        CHECK(differ == 0);
        CHECK(fused.mean_phi == full.mean_phi);
        CHECK(fused.mean_phibar2 == full.mean_phibar2);
    }
}

TEST_CASE("run_tangent: stored tangent noise gives the same bits as redrawn noise, across calls and reseeds") {
    ModelParams p;
    p.alpha_z = 3.0;
    p.alpha_r = 2.0;
    p.input_std = 0.3;
    const std::size_t n = 121;
    const double dt = 0.05;
    const SiteGrid g = SiteGrid::make(n, dt, 3 * n, 0.1);
    SiteFields f;
    TangentFields tf;
    f.eta_dyn = sech_lags(n, dt, 1.2, 1.5);
    f.z_dyn = sech_lags(n, dt, 0.5, 1.0);
    tf.xi_h = sech_lags(n, dt, 0.8, 1.2);
    tf.y_z = sech_lags(n, dt, 0.3, 0.8);
    tf.r_dyn = sech_lags(n, dt, 0.4, 1.0);
    tf.y_r = sech_lags(n, dt, 0.2, 0.9);
    f.eta_static = 0.1;
    tf.r_static = 0.05;
    SingleSiteSampler stored(p, g, 128, 7), redrawn(p, g, 128, 7, 0);
    const auto a = stored.run_tangent(f, tf, 0.05, 64);
    const auto b = redrawn.run_tangent(f, tf, 0.05, 64);
    CHECK(stored.tangent_noise_stored());
    CHECK_FALSE(redrawn.tangent_noise_stored());
    // More paths (the stored noise is re-allocated for them and redrawn), one thread, then the first 64
    // paths again.
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto grown = stored.run_tangent(f, tf, 0.05, 128);
    omp_set_num_threads(saved);
    const auto grown_redrawn = redrawn.run_tangent(f, tf, 0.05, 128);
    const auto c = stored.run_tangent(f, tf, 0.05, 64);
    // Another random set and back.
    stored.reseed(8);
    const auto other = stored.run_tangent(f, tf, 0.05, 64);
    stored.reseed(7);
    const auto d = stored.run_tangent(f, tf, 0.05, 64);
    int differ = 0;
    for (std::size_t k = 0; k < n; ++k) {
        differ += a.A[k] != b.A[k] || a.B[k] != b.B[k];
        differ += a.A[k] != c.A[k] || a.B[k] != c.B[k];
        differ += a.A[k] != d.A[k] || a.B[k] != d.B[k];
        differ += grown.A[k] != grown_redrawn.A[k] || grown.B[k] != grown_redrawn.B[k];
    }
    CHECK(differ == 0);
    CHECK(other.A[0] != a.A[0]);
    CHECK(a.A[0] > 0);
}
