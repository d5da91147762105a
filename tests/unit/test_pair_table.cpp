// Chebyshev pair tables (numerics/gaussian_average.hpp) against the erf closed form, its Price
// derivatives, the direct stationary_pair quadrature, and Chebyshev interpolation against exact functions.
#include "numerics/chebyshev.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/nonlinearity.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <numbers>

using namespace gdmft;

namespace {
std::array<double, 3> phi3(const Phi& p, double u) { return {p(u), p.deriv(u), p.deriv2(u)}; }
}  // namespace

TEST_CASE("Chebyshev interpolation and integral of exp on [0.3, 2.1]") {
    auto f = [](double x) { return std::array<double, 1>{std::exp(x)}; };
    const auto set = chebyshev_adaptive<1>(f, 0.3, 2.1, 1e-14);
    REQUIRE(set.converged);
    for (double x : {0.3, 0.77, 1.5, 2.1}) CHECK(std::abs(set.fn[0](x) - std::exp(x)) < 1e-13 * std::exp(x));
    CHECK(set.fn[0].integral() == doctest::Approx(std::exp(2.1) - std::exp(0.3)).epsilon(1e-13));
    // Clamping outside the interval.
    CHECK(set.fn[0](5.0) == doctest::Approx(std::exp(2.1)).epsilon(1e-13));
}

TEST_CASE("erf pair table: value and Price derivatives match the closed form") {
    // phi = erf(sqrt(pi) u / 2): <phi phi> = (2/pi) asin(k c / (1 + k c0)), k = pi/2 (THEORY.md section 1).
    const Phi p{PhiKind::Erf};
    const double k = std::numbers::pi / 2;
    for (double c0 : {0.05, 0.8, 5.4, 30.0}) {
        const auto t = gauss::pair_table([&](double u) { return phi3(p, u); }, 0.0, c0, -c0, std::numbers::pi / 2);
        CHECK(t.converged);
        for (double rho : {-1.0, -0.6, 0.0, 0.3, 0.95, 1.0}) {
            const double c = rho * c0;
            const double z = k * c / (1 + k * c0);
            const double value = (2 / std::numbers::pi) * std::asin(z);
            const double dz_dc = k / (1 + k * c0), dz_dc0 = -k * k * c / ((1 + k * c0) * (1 + k * c0));
            const double dv = (2 / std::numbers::pi) / std::sqrt(1 - z * z);
            CHECK(std::abs(t.value(c) - value) < 1e-11);
            CHECK(std::abs(t.d_cov(c) - dv * dz_dc) < 1e-10);
            CHECK(std::abs(t.d_var(c) - dv * dz_dc0) < 1e-10);
        }
    }
}

TEST_CASE("tanh pair table with a mean matches stationary_pair and finite differences") {
    const Phi p{PhiKind::Tanh};
    auto f = [&](double u) { return p(u); };
    for (double mu : {0.0, 0.6}) {
        for (double c0 : {0.3, 1.2, 6.0}) {
            const double lo = -0.5 * c0;
            const auto t = gauss::pair_table([&](double u) { return phi3(p, u); }, mu, c0, lo, std::numbers::pi / 2);
            CHECK(t.converged);
            std::vector<double> cs = {lo, -0.2 * c0, 0.0, 0.41 * c0, 0.97 * c0, c0};
            const auto direct = gauss::stationary_pair(f, mu, c0, cs);
            for (std::size_t i = 0; i < cs.size(); ++i) CHECK(std::abs(t.value(cs[i]) - direct[i]) < 1e-10);
            // Price derivatives against centred differences of the direct quadrature (interior points).
            const double e = 1e-4 * c0;
            for (double c : {-0.2 * c0, 0.41 * c0}) {
                const auto pc = gauss::stationary_pair(f, mu, c0, {c + e, c - e});
                CHECK(std::abs(t.d_cov(c) - (pc[0] - pc[1]) / (2 * e)) < 1e-6);
                const auto pv1 = gauss::stationary_pair(f, mu, c0 + e, {c});
                const auto pv0 = gauss::stationary_pair(f, mu, c0 - e, {c});
                CHECK(std::abs(t.d_var(c) - (pv1[0] - pv0[0]) / (2 * e)) < 1e-6);
            }
        }
    }
}

TEST_CASE("gate pair table (steep sigmoid) matches stationary_pair") {
    const Gate g{6.0, 0.5};
    auto g3 = [&](double u) {
        const double s = g(u);
        const double d = g.alpha * s * (1 - s);
        return std::array<double, 3>{s, d, g.alpha * d * (1 - 2 * s)};
    };
    const double c0 = 1.5;
    const auto t = gauss::pair_table(g3, 0.0, c0, -c0, std::numbers::pi / g.alpha);
    CHECK(t.converged);
    std::vector<double> cs = {-c0, -0.3, 0.0, 0.7, c0};
    const auto direct = gauss::stationary_pair([&](double u) { return g(u); }, 0.0, c0, cs);
    for (std::size_t i = 0; i < cs.size(); ++i) CHECK(std::abs(t.value(cs[i]) - direct[i]) < 1e-10);
}
