// Fixed points of the mean-field equations (dmft/fixed_points.*): exact stability boundary of the zero
// branch, the continuous SCS onset, and the saddle-node pairs of a steep output gate (THEORY.md 4, 6).
#include "dmft/fixed_points.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

namespace {
std::size_t nonzero_branches(const ModelParams& m) {
    std::size_t k = 0;
    for (const auto& b : fixed_points(m, 200)) k += b.Delta_h > 0;
    return k;
}

// Smallest g_h with a nonzero branch (the topological onset g_FP), by bisection on [lo, hi].
double g_fp(ModelParams m, double lo, double hi) {
    for (int it = 0; it < 30; ++it) {
        m.g_h = 0.5 * (lo + hi);
        (nonzero_branches(m) > 0 ? hi : lo) = m.g_h;
    }
    return 0.5 * (lo + hi);
}
}  // namespace

TEST_CASE("zero branch: G = (g_h sigma_r(0))^2, stability changes exactly at g_h sigma_r(0) = 1") {
    for (double beta_r : {0.0, 1.0}) {
        for (double alpha_r : {0.0, 5.0}) {
            ModelParams m;
            m.alpha_r = alpha_r;
            m.beta_r = beta_r;
            const double s = 1 / (1 + std::exp(beta_r));
            for (double f : {0.99, 1.01}) {
                m.g_h = f / s;
                const auto b = fixed_points(m);
                REQUIRE(!b.empty());
                CHECK(b.front().Delta_h == 0.0);
                CHECK(b.front().G == doctest::Approx(f * f).epsilon(1e-12));
                CHECK(b.front().stable == (f < 1));
            }
        }
    }
}

TEST_CASE("SCS (alpha_r = 0): one nonzero branch appears continuously at g_eff = 1") {
    ModelParams m;  // beta_r = 0: g_eff = g_h / 2
    m.g_h = 2 * 0.99;
    CHECK(nonzero_branches(m) == 0);
    for (double g : {1.001, 1.01}) {
        m.g_h = 2 * g;
        const auto b = fixed_points(m);
        REQUIRE(b.size() == 2);
        // Small-Delta expansion for tanh: <tanh^2>_D = D - 2 D^2 + O(D^3), so D = (1 - 1/g^2)/2 + O((g-1)^2).
        CHECK(b[1].Delta_h == doctest::Approx((1 - 1 / (g * g)) / 2).epsilon(20 * (g - 1)));
        CHECK(b[1].Delta_r == doctest::Approx(b[1].Delta_h / (g * g)).epsilon(1e-9));  // g_r^2 <phi^2> = Delta_h / g_eff^2
    }
}

TEST_CASE("steep output gate: nonzero branches appear in pairs at a saddle-node; g_FP decreases towards sqrt(2)") {
    // alpha_r g_r > 2 sqrt(2): first-order (saddle-node) onset below the zero-branch instability g_h = 2.
    ModelParams m;
    m.g_r = 1;
    m.beta_r = 0;
    double previous = 2.0;
    for (double alpha_r : {6.0, 10.0, 20.0, 60.0, 1000.0}) {
        m.alpha_r = alpha_r;
        const double g = g_fp(m, 1.0, 1.999);
        CHECK(g > std::sqrt(2.0));  // the alpha_r -> infinity limit (THEORY.md section 6)
        CHECK(g < previous);
        previous = g;
        MESSAGE("alpha_r = " << alpha_r << ": g_FP = " << g);
        // Just above the onset: two nonzero branches at distinct, finite Delta_h; just below: none.
        m.g_h = g * (1 + 1e-4);
        const auto b = fixed_points(m);
        REQUIRE(b.size() == 3);
        CHECK(b[1].Delta_h > 1e-3);
        CHECK(b[2].Delta_h > b[1].Delta_h);
        m.g_h = g * (1 - 1e-4);
        CHECK(nonzero_branches(m) == 0);
        if (alpha_r == 1000.0) CHECK(g - std::sqrt(2.0) < 0.02);  // measured 1.4290
    }
}

TEST_CASE("fixed points with input mean and spread solve U(Delta) = Delta with raw second moments") {
    ModelParams m;
    m.g_h = 2.5;
    m.alpha_r = 2;
    m.input_mean = 0.7;
    m.input_std = 0.3;
    const auto b = fixed_points(m);
    REQUIRE(!b.empty());
    for (const auto& br : b) {
        CHECK(br.Delta_h > 0);
        CHECK(std::abs(fixed_point_map(m, br.Delta_h) - br.Delta_h) < 1e-11);
        // Delta_r = g_r^2 <tanh(h)^2>, h ~ N(mu, Delta_h): the raw moment (the mean of tanh is not removed).
        const double p2 = br.Delta_r / (m.g_r * m.g_r);
        CHECK(p2 > std::tanh(0.7) * std::tanh(0.7) * 0.5);
        CHECK(br.Delta_z == doctest::Approx(m.g_z * m.g_z * p2).epsilon(1e-12));
    }
}
