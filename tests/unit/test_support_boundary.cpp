// The support boundary of the Jacobian spectrum (dmft/support_boundary.hpp) against closed forms: the circle at a
// constant clock, the erf averages, the r term with an instantaneous gate, the pinch and the near-singular clock
// average of a spread clock, and a separate r blob (a region that is not star-shaped).
#include "dmft/support_boundary.hpp"
#include "numerics/gaussian_average.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

using namespace gdmft;

namespace {
ModelParams zero_fp_model(double g_h) {
    ModelParams m;
    m.g_h = g_h;  // beta_r = 0: sigma_r(0) = 1/2; beta_z = 0: sigma_z(0) = 1/2
    return m;
}
}  // namespace

TEST_CASE("zero fixed point: the boundary is the circle |lambda + s0/tau_h| = g_h sigma_r(0) s0/tau_h") {
    // THEORY.md section 4 at h = r = z = 0: F = g_h^2 s0^2 sigma_r(0)^2 / |tau_h lambda + s0|^2 (phi'(0) = 1).
    for (double tau_h : {1.0, 2.0}) {
        ModelParams m = zero_fp_model(1.6);
        m.tau_h = tau_h;
        m.beta_z = 1.0;  // s0 = 1/(1+e) = 0.268941...
        const double s0 = 1.0 / (1.0 + std::exp(1.0));
        const SupportModel s = support_model_gaussian(m, 0.0, 0.0, 0.0, 0.0, "zero fixed point");
        CHECK(s.a_h == doctest::Approx(0.25).epsilon(1e-14));
        CHECK(s.G() == doctest::Approx(1.6 * 1.6 * 0.25).epsilon(1e-13));  // (g_h sigma_r(0))^2 = 0.64
        const double radius = 1.6 * 0.5 * s0 / tau_h, center = -s0 / tau_h;
        const Boundary b = trace_boundary(s, {180, 200, 1e-12});
        CHECK(b.center.real() == doctest::Approx(center).epsilon(1e-15));
        CHECK(b.star_shaped);
        REQUIRE(b.points.size() == 180u);
        double worst = 0;
        for (const auto& p : b.points) worst = std::max(worst, std::abs(std::hypot(p.x - center, p.y) - radius));
        CHECK(worst < 1e-10);
        CHECK(b.rightmost_on_axis == doctest::Approx(center + radius).epsilon(1e-10));
        CHECK(b.rightmost == doctest::Approx(center + radius).epsilon(1e-10));
        // Inflated by 5% about the center: the circle of radius 1.05 * radius.
        const std::complex<double> c(center, 0.0);
        CHECK(in_support(s, c + std::polar(0.99 * radius, 0.7)));
        CHECK_FALSE(in_support(s, c + std::polar(1.01 * radius, 0.7)));
        CHECK(in_inflated_support(s, 1.05, c + std::polar(1.04 * radius, 2.0)));
        CHECK_FALSE(in_inflated_support(s, 1.05, c + std::polar(1.06 * radius, 2.0)));
    }
}

TEST_CASE("erf nonlinearity: a_h = sigma_r(0)^2 / sqrt(1 + pi Delta_h) in closed form") {
    // phi = erf(sqrt(pi) u / 2): phi' = exp(-pi u^2 / 4), <phi'^2> over N(0, v) = 1/sqrt(1 + pi v) (Gaussian integral).
    ModelParams m = zero_fp_model(1.2);
    m.phi = PhiKind::Erf;
    for (double v : {0.1, 0.8, 3.0}) {
        const SupportModel s = support_model_gaussian(m, 0.0, v, 0.0, 0.0, "erf");
        CHECK(s.a_h == doctest::Approx(0.25 / std::sqrt(1 + std::numbers::pi * v)).epsilon(1e-11));
        CHECK(s.a_r == 0.0);  // alpha_r = 0: sigma_r' = 0
        CHECK(s.a_z == doctest::Approx(1 / std::sqrt(1 + std::numbers::pi * v)).epsilon(1e-11));
    }
}

TEST_CASE("instantaneous r gate: the r term enlarges the circle to radius s0 g_h sqrt(a_h + g_r^2 a_r) / tau_h") {
    // tau_r = 0 makes |1 + tau_r lambda| = 1, so with a constant clock F = g_h^2 s0^2 (a_h + g_r^2 a_r)/|lambda + s0|^2.
    ModelParams m;
    m.g_h = 1.5, m.g_r = 2.0, m.alpha_r = 3.0, m.tau_r = 0.0, m.phi = PhiKind::Erf;
    const SupportModel s = support_model_gaussian(m, 0.3, 0.7, 0.9, 0.0, "nonzero fixed point");
    REQUIRE(s.r_term());
    const double radius = 0.5 * 1.5 * std::sqrt(s.a_h + 4.0 * s.a_r);
    const Boundary b = trace_boundary(s, {120, 200, 1e-12});
    CHECK(b.star_shaped);
    double worst = 0;
    for (const auto& p : b.points) worst = std::max(worst, std::abs(std::hypot(p.x + 0.5, p.y) - radius));
    CHECK(worst < 1e-10);
    CHECK(b.rightmost_on_axis == doctest::Approx(-0.5 + radius).epsilon(1e-10));
    // G of THEORY.md: g_h^2 [<sigma_r^2><phi'^2> + g_r^2 <sigma_r'^2><phi^2><phi'^2>].
    const Gate gr = m.gate_r();
    const Phi phi = m.phi_fn();
    const double sr2 = gauss::mean([&](double u) { return gr(u) * gr(u); }, 0.0, 0.9);
    const double srp2 = gauss::mean([&](double u) { return gr.deriv(u) * gr.deriv(u); }, 0.0, 0.9);
    const double phi2 = gauss::mean([&](double u) { return phi(u) * phi(u); }, 0.3, 0.7);
    const double dphi2 = gauss::mean([&](double u) { return phi.deriv(u) * phi.deriv(u); }, 0.3, 0.7);
    CHECK(s.G() == doctest::Approx(2.25 * (sr2 * dphi2 + 4.0 * srp2 * phi2 * dphi2)).epsilon(1e-12));
}

TEST_CASE("a separate r blob around -1/tau_r makes the region not star-shaped") {
    // Fast r gate (tau_r = 0.1): the r term's pole at -10 is far from the bulk around -s0 = -0.5, and its blob
    // |1 + tau_r lambda|^2 <~ g_h^2 g_r^2 a_r s0^2/|lambda + s0|^2 is small: rays towards -10 cross F = 1 three times.
    ModelParams m;
    m.g_h = 1.2, m.g_r = 1.0, m.alpha_r = 2.0, m.tau_r = 0.1;
    const SupportModel s = support_model_gaussian(m, 0.0, 0.5, 0.3, 0.0, "blob");
    REQUIRE(s.r_term());
    CHECK(in_support(s, {-10.0, 1e-3}));
    CHECK_FALSE(in_support(s, {-5.0, 0.0}));
    const Boundary b = trace_boundary(s, {360, 800, 1e-10});
    CHECK_FALSE(b.star_shaped);
    CHECK(b.rays_with_several_crossings > 0);
    int inner = 0;
    for (const auto& p : b.points) {
        CHECK(support_function(s, {p.x, p.y}) == doctest::Approx(1.0).epsilon(1e-6));
        inner += p.crossing > 0;
    }
    CHECK(inner >= 2 * b.rays_with_several_crossings);
    // Not star-shaped: the blob is traced again by rays from its pole -10 (component 1), one point per ray.
    int blob = 0;
    for (const auto& p : b.points)
        if (p.component == 1) {
            ++blob;
            CHECK(std::abs(std::complex<double>(p.x, p.y) + 10.0) < 1.0);
        }
    CHECK(blob == 360);
    // The blob is inflated about its own pole -10: its rightmost real point x_b (F(x_b) = 1) moved 3% further from
    // -10 is inside the inflated support, 7% further is not (inflating about the bulk's center -0.5 would instead
    // push the whole blob ~0.5 to the left, out of reach of points next to it).
    REQUIRE(support_centers(s).size() == 2u);
    double lo = -9.99, hi = -5.0;  // F(lo) > 1 (near the pole), F(hi) < 1: bisect for the blob's right edge
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (support_function(s, {mid, 0.0}) >= 1 ? lo : hi) = mid;
    }
    const double reach = lo + 10.0;
    CHECK(in_inflated_support(s, 1.05, {-10.0 + 1.03 * reach, 0.0}));
    CHECK_FALSE(in_support(s, {-10.0 + 1.03 * reach, 0.0}));
    CHECK_FALSE(in_inflated_support(s, 1.05, {-10.0 + 1.07 * reach, 0.0}));
}

TEST_CASE("spread clock: F is infinite on the segment (-1/tau_h, 0), the support pinches at 0") {
    // THEORY.md section 4: large alpha_z pinches the support at the origin. sigma_z takes every value in (0, 1), so
    // 1/|tau_h lambda + sigma_z|^2 is nonintegrable for real lambda in (-1/tau_h, 0).
    ModelParams m = zero_fp_model(1.5);
    m.alpha_z = 5.0;
    const SupportModel s = support_model_gaussian(m, 0.0, 0.6, 0.0, 0.4, "pinch");
    CHECK(std::isinf(support_function(s, {-0.3, 0.0})));
    CHECK(std::isinf(support_function(s, {-1e-6, 0.0})));
    CHECK(clock_averages(s, {0.0, 0.0}).A == doctest::Approx(1.0).epsilon(1e-12));  // <sigma^2/sigma^2> = 1
    REQUIRE(s.G() < 1.0);
    const Boundary b = trace_boundary(s, {90, 200, 1e-12});
    CHECK(std::abs(b.rightmost_on_axis) < 1e-10);
}

TEST_CASE("near the singular segment the clock average approaches its Lorentzian limit") {
    // For lambda = a + i b, b -> 0+: A -> pi p(s*) s*^2 / (tau_h b), s* = -tau_h a, with p the density of sigma_z:
    // z(s) = (beta + ln(s/(1-s)))/alpha, p(s) = N(z(s); 0, var_z) / (alpha s (1 - s)). The O(b) correction is ~1%.
    ModelParams m;
    m.alpha_z = 4.0, m.beta_z = 0.5, m.tau_h = 1.0;
    const double var_z = 0.5, a = -0.3;
    const SupportModel s = support_model_gaussian(m, 0.0, 0.5, 0.0, var_z, "lorentz");
    const double ss = -a, z = (0.5 + std::log(ss / (1 - ss))) / 4.0;
    const double p = std::exp(-z * z / (2 * var_z)) / std::sqrt(2 * std::numbers::pi * var_z) / (4.0 * ss * (1 - ss));
    for (double b : {1e-3, 1e-4}) {
        const double A = clock_averages(s, {a, b}).A;
        CHECK(A * b / (std::numbers::pi * p * ss * ss) == doctest::Approx(1.0).epsilon(20 * b));
    }
    // Away from the segment the strip-sized rule agrees with a brute-force fine trapezoid.
    const gauss::Rule fine = gauss::Rule::trapezoid(400001, 8.5);
    const std::complex<double> lam(-0.3, 0.02);
    const double brute = gauss::mean([&](double u) {
        const double sz = s.gate_z(u);
        return sz * sz / std::norm(lam + sz);
    }, 0.0, var_z, fine);
    CHECK(clock_averages(s, lam).A == doctest::Approx(brute).epsilon(1e-8));
}

TEST_CASE("sample statistics: unit means and the binned E[D^2 | z]") {
    ModelParams m;
    m.alpha_z = 2.0, m.g_z = 1.0;
    SiteSamples x;
    const int n = 1000;
    for (int i = 0; i < n; ++i) {
        const double z = -2.0 + 4.0 * i / (n - 1);
        x.h.push_back(0.0);  // phi'(0) = 1, phi(0) = 0
        x.z.push_back(z);
        x.drive.push_back(z);  // D^2 = z^2
    }
    const SupportModel s = support_model_samples(m, x, 20, "samples");
    CHECK(s.a_h == doctest::Approx(0.25).epsilon(1e-14));  // sigma_r(0)^2 phi'(0)^2
    CHECK(s.a_r == 0.0);
    CHECK(s.a_z == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(s.z_term());
    REQUIRE(s.drive2.size() == 20u);
    // Bins of k = 50 points spaced delta apart: mean of z^2 = (bin mean)^2 + delta^2 (k^2 - 1)/12 (their variance).
    const double delta = 4.0 / (n - 1);
    for (std::size_t b = 0; b < s.drive2.size(); ++b)
        CHECK(s.drive2[b] == doctest::Approx(s.drive2_z[b] * s.drive2_z[b] + delta * delta * (50.0 * 50.0 - 1) / 12)
                                 .epsilon(1e-9));
    CHECK(s.drive2_at(-5.0) == s.drive2.front());
    CHECK(s.drive2_at(5.0) == s.drive2.back());
}
