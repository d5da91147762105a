// Annealed Kac-Rice complexity, SCS limit (dmft/complexity.*, dmft/jd_spectrum.*; docs/complexity.md).
// Reference values: the D = I closed forms of the log-det lemma (uniform disc of radius g), direct
// determinants of random matrices (an independent method), the exact q -> 0 limit of the profile, the
// small-q expansion c2 = 6 a3^2 (g^2 - 1) (docs/complexity.md), and the g_eff reduction of THEORY.md 1.
#include "dmft/complexity.hpp"
#include "dmft/complexity_scan.hpp"
#include "dmft/jd_spectrum.hpp"
#include "numerics/errors.hpp"
#include "validation/random.hpp"

#include <Eigen/Dense>
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

using namespace gdmft;

TEST_CASE("log-det lemma: D = I gives the uniform disc, ln g - 1/2 + 1/(2 g^2), and 0 for g <= 1") {
    DiagonalLaw I{{1.0}, {1.0}};
    for (double g : {0.5, 1.0}) CHECK(jd_log_det_rate(I, g) == 0.0);
    for (double g : {1.2, 2.0, 5.0})
        CHECK(jd_log_det_rate(I, g) == doctest::Approx(std::log(g) - 0.5 + 0.5 / (g * g)).epsilon(1e-12));
    // Unstable fraction of the disc of radius g: the area with Re z > 1 over pi g^2,
    // (theta_R - sin(theta_R) cos(theta_R)) / pi with cos(theta_R) = 1/g.
    for (double g : {1.5, 3.0}) {
        const double th = std::acos(1 / g);
        CHECK(jd_unstable_fraction(I, g, 400) == doctest::Approx((th - std::sin(th) * std::cos(th)) / std::numbers::pi).epsilon(1e-6));
    }
}

TEST_CASE("log-det lemma against direct determinants of random J D (N = 400, two-point law of d)") {
    // d = 0.5 or 1.5 with probability 1/2: g^2 <d^2> = 1.25 g^2.
    DiagonalLaw law{{0.5, 1.5}, {0.5, 0.5}};
    const int N = 400;
    for (double g : {0.7, 1.6}) {
        double acc = 0;
        const int samples = 3;
        for (int s = 0; s < samples; ++s) {
            sim::NormalStream rng(sim::derive_seed(17, s));
            Eigen::MatrixXd M(N, N);
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) M(i, j) = -g / std::sqrt(double(N)) * rng.normal() * (j % 2 ? 1.5 : 0.5);
            M.diagonal().array() += 1.0;
            Eigen::PartialPivLU<Eigen::MatrixXd> lu(M);
            acc += lu.matrixLU().diagonal().array().abs().log().sum() / N;
        }
        // Finite-N: fluctuations O(sqrt(ln N)/N) and an O(1/N) bias; 0.02 is several times both.
        MESSAGE("g " << g << ": direct " << acc / samples << ", lemma " << jd_log_det_rate(law, g));
        CHECK(std::abs(acc / samples - jd_log_det_rate(law, g)) < 0.02);
    }
}

TEST_CASE("unstable fraction against eigenvalues of random J D (N = 400, two-point law of d)") {
    // Fraction of eigenvalues of J D with Re > 1 (those of -I + J D with Re > 0), direct (Eigen) vs the
    // radial mass 1 - s(r) of the hermitized equation. Finite-N allowance 0.015 (edge fluctuations).
    DiagonalLaw law{{0.5, 1.5}, {0.5, 0.5}};
    const int N = 400;
    const double g = 1.6;
    sim::NormalStream rng(sim::derive_seed(23, 0));
    Eigen::MatrixXd M(N, N);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) M(i, j) = g / std::sqrt(double(N)) * rng.normal() * (j % 2 ? 1.5 : 0.5);
    const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(M, false).eigenvalues();
    int right = 0;
    for (Eigen::Index i = 0; i < ev.size(); ++i) right += ev(i).real() > 1;
    const double theory = jd_unstable_fraction(law, g, 200);
    MESSAGE("unstable fraction: direct " << double(right) / N << ", theory " << theory);
    CHECK(std::abs(double(right) / N - theory) < 0.015);
}

TEST_CASE("Sigma = 0 with the reason for g <= 1, never NaN; positive above") {
    for (double g : {0.3, 0.9, 1.0}) {
        const auto r = scs_complexity(g, Phi{});
        CHECK(r.Sigma == 0.0);
        CHECK(r.trivial);
        CHECK(r.converged);
        CHECK(r.message.find("trivial") != std::string::npos);
        CHECK(r.unstable_fraction.value() == 0.0);
    }
    for (double g : {1.01, 1.5, 2.0, 3.0, 5.0}) {
        const auto r = scs_complexity(g, Phi{});
        CHECK(r.Sigma > 0);
        CHECK(!r.trivial);
        CHECK(r.converged);
        CHECK(std::isfinite(r.second_moment));
        CHECK(r.mean_phi2 == doctest::Approx(r.q).epsilon(1e-9));
        REQUIRE(r.unstable_fraction.has_value());
        CHECK(*r.unstable_fraction > 0);
        CHECK(*r.unstable_fraction < 0.5);
    }
}

TEST_CASE("profile: G(q) -> 0 as q -> 0 for g > 1, and G(q)/q^2 -> c2 = 6 a3^2 (g^2 - 1) + O((g^2-1)^2)") {
    // g > 1: the q -> 0 limit is 0 (t0 = g^2 - 1). Regression: at g = 3, 5 the tilted law is g times narrower
    // than the base Gaussian and a base-sized trapezoid step gave G(1e-6) = 3e-4, 0.048.
    for (double g : {1.5, 3.0, 5.0}) CHECK(std::abs(complexity_profile(g, Phi{}, 1e-6)) < 1e-12);
    // g < 1: t = 0 is forced and the limit is 1/2 - ln g - 1/(2 g^2) < 0 (closed form, docs/complexity.md);
    // the isolated root x = 0 then makes Sigma = 0.
    CHECK(complexity_profile(0.8, Phi{}, 1e-7) == doctest::Approx(0.5 - std::log(0.8) - 0.5 / 0.64).epsilon(1e-5));
    // tanh: a3 = -1/3, c2 = (2/3) eps; erf(sqrt(pi) x / 2): a3 = -pi/12, c2 = (pi^2/24) eps.
    const double g = 1.002, eps = g * g - 1;
    const double q = 1e-5;
    CHECK(complexity_profile(g, Phi{}, q) / (q * q) == doctest::Approx(2 * eps / 3).epsilon(0.02));
    CHECK(complexity_profile(g, Phi{PhiKind::Erf}, q) / (q * q) ==
          doctest::Approx(std::numbers::pi * std::numbers::pi / 24 * eps).epsilon(0.02));
    // At g = 1 the t >= 0 constraint binds and the profile turns down: G ~ -q^2.
    CHECK(complexity_profile(1.0, Phi{}, 1e-3) / 1e-6 == doctest::Approx(-1.0).epsilon(0.01));
}

TEST_CASE("Sigma ~ (g - 1)^3 near the onset (c1 = 0, c2 ~ g^2 - 1, c3 < 0: docs/complexity.md)") {
    // Least-squares slope of ln Sigma against ln(g - 1) over g - 1 in [1e-3, 1e-2].
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const int n = 6;
    for (int i = 0; i < n; ++i) {
        const double d = 1e-3 * std::pow(10.0, double(i) / (n - 1));
        const double x = std::log(d), y = std::log(scs_complexity(1 + d, Phi{}).Sigma);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    MESSAGE("fitted exponent " << slope);
    CHECK(slope == doctest::Approx(3.0).epsilon(0.01));
    // The leading coefficient does not depend on phi beyond phi'(0) = 1 and a3 < 0 (q scales as 1/|a3|):
    // tanh and erf agree to O(g - 1).
    const double st = scs_complexity(1.003, Phi{}).Sigma, se = scs_complexity(1.003, Phi{PhiKind::Erf}).Sigma;
    CHECK(se == doctest::Approx(st).epsilon(0.02));
}

TEST_CASE("alpha_r = 0: Sigma depends on g_h and beta_r only through g_eff, and not on the z gate") {
    ModelParams a;  // beta_r = 0: sigma_r(0) = 1/2, g_eff = 2
    a.g_h = 4.0;
    const auto ra = annealed_complexity(a);
    ModelParams b = a;
    b.beta_r = 1.0;
    b.g_h = 2.0 * (1 + std::exp(1.0));  // sigma_r(0) = 1/(1 + e)
    ModelParams c = a;
    c.alpha_z = 7.0;
    c.beta_z = -1.0;
    c.g_z = 2.5;
    c.tau_z = 0.0;
    c.tau_r = 3.0;
    for (const auto& m : {b, c}) {
        const auto r = annealed_complexity(m);
        CHECK(r.g_eff == doctest::Approx(2.0).epsilon(1e-14));
        CHECK(r.Sigma == doctest::Approx(ra.Sigma).epsilon(1e-10));
        CHECK(r.second_moment == doctest::Approx(ra.second_moment).epsilon(1e-6));
    }
}

TEST_CASE("out of scope: inputs are rejected naming the key; the SCS bifurcation rejects alpha_r != 0") {
    ModelParams m;
    m.alpha_r = 4;
    try {
        complexity_bifurcation(m);
        FAIL("no throw");
    } catch (const BadInput& e) {
        CHECK(e.name == "alpha_r");
    }
    ModelParams i;
    i.input_std = 0.2;
    CHECK_THROWS_AS(annealed_complexity(i), BadInput);
}

TEST_CASE("scan: the onset from the bifurcation, to 1e-4 (exactly g_h sigma_r(0) = 1)") {
    ModelParams m;
    m.beta_r = 0.5;
    const ParameterAxis axis = parse_axis("scan", "g_h:1:3", false);
    const auto s = complexity_scan(m, axis, 11);
    REQUIRE(s.onset.has_value());
    CHECK(*s.onset == doctest::Approx(1 + std::exp(0.5)).epsilon(1e-8));
    for (const auto& row : s.rows) CHECK((row.result.Sigma > 0) == (row.value * m.gate_r().at_zero() > 1));
    const auto none = complexity_scan(m, parse_axis("scan", "g_h:3:4", false), 2);
    CHECK(!none.onset.has_value());
}
