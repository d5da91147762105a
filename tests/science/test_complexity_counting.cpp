// Counting against the annealed theory (docs/complexity.md section 6): at g_eff = 3, N = 20, 16 networks,
// the counted roots' mean |h|^2/N lies near the Kac-Rice second moment (dmft/complexity: 3.103) and
// well below the static cavity solution Delta_h = 6.305 (gdmft fixedpoint --g-h 6); every count is odd
// (h = 0 and +-h pairs), and a network whose search found roots late is reported unsaturated.
//
// Calibration over GDMFT_TEST_SEED_OFFSET = 0..12 (13 sets of 16 networks): mean |h|^2/N = 3.022, 2.876,
// 2.995, 2.911, 2.821, 2.568, 2.953, 2.509, 2.676, 2.451, 3.545, 3.184, 3.237; mean 2.904, sd 0.31, i.e.
// relative to 3.103: -0.064 +- 0.10. Bound |mean| + 4.5 sd = 0.52 relative. Against the static solution
// the largest plausible value, 2.904 + 4.5 x 0.31 = 4.30, stays below 0.7 x 6.305 = 4.41. Saturation is
// not asserted: at offsets 1, 4 and 11 one network found a root in the last half of its starts.
#include "dmft/complexity.hpp"
#include "dmft/fixed_points.hpp"
#include "tests/test_seed.hpp"
#include "validation/fixed_point_count.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace gdmft;

TEST_CASE("g_eff = 3, N = 20: counted roots near the annealed second moment, below the static solution") {
    ModelParams m;
    m.g_h = 6;  // beta_r = 0: g_eff = 3
    sim::CountOptions o;
    o.N = 20;
    o.networks = 16;
    o.seed = gdmft_test::seed(1);
    const auto c = sim::count_fixed_points(m, o);
    const auto theory = annealed_complexity(m);
    double static_delta = 0;
    for (const auto& b : fixed_points(m)) static_delta = std::max(static_delta, b.Delta_h);
    MESSAGE("counted <|h|^2/N> " << c.mean_norm2 << ", annealed " << theory.second_moment << ", static " << static_delta
                                 << "; mean count " << c.mean_count << " +- " << c.stderr_count);
    bool all_saturated = true;
    for (const auto& n : c.networks) {
        CHECK(n.roots.size() % 2 == 1);
        CHECK(n.saturated == (n.found_late == 0));
        all_saturated = all_saturated && n.saturated;
    }
    CHECK(c.saturated == all_saturated);
    CHECK(std::abs(c.mean_norm2 / theory.second_moment - 1) < 0.52);
    CHECK(c.mean_norm2 < 0.7 * static_delta);
}
