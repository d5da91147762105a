// Counting against the annealed theory (docs/complexity.md section 6): at g_eff = 3, N = 20, 16 networks
// (seed 1), the counted roots' mean |h|^2/N lies near the Kac-Rice second moment (dmft/complexity: 3.103) and
// well below the static cavity solution Delta_h = 6.305 (gdmft fixedpoint --g-h 6); every count is odd (h = 0
// and +-h pairs) and saturated. Tolerance 25%: over N = 10..40 the measured value ranged 2.6 to 3.3.
#include "dmft/complexity.hpp"
#include "dmft/fixed_points.hpp"
#include "validation/fixed_point_count.hpp"

#include <doctest/doctest.h>

using namespace gdmft;

TEST_CASE("g_eff = 3, N = 20: counted roots near the annealed second moment, below the static solution") {
    ModelParams m;
    m.g_h = 6;  // beta_r = 0: g_eff = 3
    sim::CountOptions o;
    o.N = 20;
    o.networks = 16;
    const auto c = sim::count_fixed_points(m, o);
    const auto theory = annealed_complexity(m);
    double static_delta = 0;
    for (const auto& b : fixed_points(m)) static_delta = std::max(static_delta, b.Delta_h);
    MESSAGE("counted <|h|^2/N> " << c.mean_norm2 << ", annealed " << theory.second_moment << ", static " << static_delta
                                 << "; mean count " << c.mean_count << " +- " << c.stderr_count);
    CHECK(c.saturated);
    for (const auto& n : c.networks) CHECK(n.roots.size() % 2 == 1);
    CHECK(c.mean_norm2 == doctest::Approx(theory.second_moment).epsilon(0.25));
    CHECK(c.mean_norm2 < 0.7 * static_delta);
}
