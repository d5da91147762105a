// Counting against the gated annealed theory (docs/complexity.md section 9): at alpha_r = 10, g_h = 3 (beta_r = 0,
// g_r = 1), N = 16, 16 networks, the counted roots' mean |h|^2/N lies near the Kac-Rice second moment
// (dmft/gated_complexity: 0.6335) and far below the static cavity solution Delta_h = 2.139 (gdmft fixedpoint
// --alpha-r 10 --g-h 3), and their unstable fraction near the theory's 0.1115.
//
// Calibration over GDMFT_TEST_SEED_OFFSET = 0..11 (12 sets of 16 networks, 8-11 s of CPU each):
//   mean |h|^2/N = 1.030, 0.784, 0.802, 0.708, 0.707, 0.965, 1.009, 0.734, 0.990, 1.028, 0.882, 0.874: relative to
//   0.6335, +0.383 +- 0.200 (mean +- sd): bound |mean| + 4.5 sd = 1.29 (weak: at N = 16 the counted roots sit
//   30-60% above the annealed value, docs/complexity.md section 9). Against the static solution: the largest
//   plausible value 0.876 + 4.5 x 0.127 = 1.446 stays below 0.7 x 2.139 = 1.497.
//   unstable fraction - 0.1115 = -0.0219, +0.0009, -0.0163, -0.0231, -0.0101, -0.0252, -0.0209, -0.0060, -0.0139,
//   -0.0095, -0.0268, -0.0165: -0.0158 +- 0.0084, bound 0.054.
// Saturation is not asserted (some networks find a root in the last half of their starts; 4x the starts at
// N = 24 changed one count of four by one).
#include "dmft/complexity.hpp"
#include "dmft/fixed_points.hpp"
#include "tests/test_seed.hpp"
#include "validation/fixed_point_count.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace gdmft;

TEST_CASE("alpha_r = 10, g_h = 3, N = 16: counted roots near the gated annealed second moment and unstable fraction") {
    ModelParams m;
    m.alpha_r = 10;
    m.g_h = 3;
    sim::CountOptions o;
    o.N = 16;
    o.networks = 16;
    o.seed = gdmft_test::seed(3);
    const auto c = sim::count_fixed_points(m, o);
    const auto theory = annealed_complexity(m);
    REQUIRE(theory.unstable_fraction.has_value());
    double static_delta = 0;
    for (const auto& b : fixed_points(m)) static_delta = std::max(static_delta, b.Delta_h);
    const double rel_norm = c.mean_norm2 / theory.second_moment - 1;
    const double diff_unstable = c.unstable_fraction - *theory.unstable_fraction;
    MESSAGE("counted <|h|^2/N> " << c.mean_norm2 << ", annealed " << theory.second_moment << " (rel " << rel_norm
                                 << "), static " << static_delta << "; unstable fraction " << c.unstable_fraction
                                 << " vs " << *theory.unstable_fraction << " (diff " << diff_unstable << "); mean count "
                                 << c.mean_count << " +- " << c.stderr_count);
    for (const auto& n : c.networks) CHECK(n.saturated == (n.found_late == 0));
    CHECK(std::abs(rel_norm) < 1.29);
    CHECK(std::abs(diff_unstable) < 0.054);
    CHECK(c.mean_norm2 < 0.7 * static_delta);
}
