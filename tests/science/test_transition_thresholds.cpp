// THEORY.md section 6 from traced curves (beta_r = 0, g_r = 1, tau_r = 0, mu = s = 0): the fixed-point
// transition turns first order at alpha_r g_r = 2 sqrt(2), the chaotic one discontinuous at 2 sqrt(3);
// as alpha_r grows g_fp -> sqrt(2) and g_chaos -> sqrt(8/3) (the step-gate limit).
#include "dmft/boundary.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

using namespace gdmft;

TEST_CASE("thresholds 2 sqrt(2) and 2 sqrt(3) from the traced boundary, within 0.5%") {
    ModelParams m;
    m.tau_r = 0;
    ParameterAxis x{"alpha_r", 2.5, 4.0, 4};  // 2.5, 3, 3.5, 4: each order change between two points
    const BoundaryResult r = trace_boundary(m, x, "g_h");
    REQUIRE(r.first_order_fixed_point.found);
    REQUIRE(r.discontinuous_chaos.found);
    std::printf("first order at alpha_r = %.8f (2 sqrt 2 = %.8f); discontinuous at %.8f (2 sqrt 3 = %.8f)\n",
                r.first_order_fixed_point.x, 2 * std::sqrt(2.0), r.discontinuous_chaos.x, 2 * std::sqrt(3.0));
    CHECK(r.first_order_fixed_point.x == doctest::Approx(2 * std::sqrt(2.0)).epsilon(0.005));
    CHECK(r.discontinuous_chaos.x == doctest::Approx(2 * std::sqrt(3.0)).epsilon(0.005));
    // The traced curves: below the threshold the onset is continuous at 2, above it is below 2.
    CHECK(r.fixed_point_fold[0] == doctest::Approx(2.0));
    CHECK(r.fixed_point_fold[3] < 2.0);
    CHECK(r.chaos_onset[1] == doctest::Approx(2.0));
    CHECK(r.chaos_onset[3] < 2.0);
}

TEST_CASE("alpha_r -> infinity: g_fp -> sqrt(2), g_chaos -> sqrt(8/3), approached monotonically") {
    ModelParams m;
    m.tau_r = 0;
    const ParamRange p{"g_h", 1, 3};
    double prev_fp = 1e9, prev_ch = 1e9;
    for (double a : {10.0, 100.0, 1000.0}) {
        m.alpha_r = a;
        const FixedPointFold f = fixed_point_fold(m, p);
        const ChaosOnset c = chaos_onset(m, p, 0, false);
        REQUIRE(f.found);
        REQUIRE(c.found);
        const double d_fp = f.value - std::sqrt(2.0), d_ch = c.value - std::sqrt(8.0 / 3.0);
        std::printf("alpha_r %6g: g_fp %.8f (- sqrt 2 = %.2e), g_chaos %.8f (- sqrt(8/3) = %.2e)\n", a, f.value, d_fp,
                    c.value, d_ch);
        CHECK(d_fp > 0);
        CHECK(d_ch > 0);
        CHECK(d_fp < prev_fp);
        CHECK(d_ch < prev_ch);
        prev_fp = d_fp;
        prev_ch = d_ch;
    }
    // Measured at alpha_r = 1000: g_fp - sqrt 2 = 1.46e-2, g_chaos - sqrt(8/3) = 3.3e-3.
    CHECK(prev_fp < 0.02);
    CHECK(prev_ch < 0.005);
}
