// Warm starts of the sampled solver (StationaryOptions::warm_start): the same model and random numbers
// solved from a nearby solution land on the same fixed point of the common-random-number map as a cold
// solve, to within the stopping error (far below the statistical error); a solution without a lag grid is
// bad input naming warm_start. (A fixed window keeps the test short and independent of the automatic
// window's choice, which at 512 paths is noisy.)
#include "dmft/solve.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>

using namespace gdmft;

TEST_CASE("warm start: the same fixed point as the cold solve, and bad input") {
    ModelParams p;
    p.alpha_z = 1.0;
    StationaryOptions o;
    o.method = Method::Sampled;
    o.paths = 512;
    o.random_sets = 2;
    o.grid.window = 60;
    o.seed = gdmft_test::seed(11);
    const StationaryResult cold = solve_stationary(p, o);
    REQUIRE(cold.converged);
    REQUIRE(cold.stat_err > 0);

    // Warm start from a neighbour (g_h 2.9), then the same model warm-started from itself.
    ModelParams near = p;
    near.g_h = 2.9;
    const auto near_sol = std::make_shared<const StationaryResult>(solve_stationary(near, o));
    REQUIRE(near_sol->converged);
    StationaryOptions ow = o;
    ow.warm_start = near_sol;
    const StationaryResult warm = solve_stationary(p, ow);
    REQUIRE(warm.converged);
    // Both stop at residual <= 0.02 x the map's sampling noise, so the two fixed points of the same map
    // differ by a small fraction of the statistical error. Measured over seed offsets 0-11: the relative
    // difference of C_h0 has mean +1.4e-4 and sd 4.9e-4 (largest 1.2e-3), while the relative statistical
    // error itself is 0.2-2.8% (median 1.3%). Bound: |mean| + 4.5 sd = 2.3e-3, taken as 3e-3.
    CHECK(std::fabs(warm.C_h0 - cold.C_h0) < 3e-3 * cold.C_h0);

    // From the solution itself.
    ow.warm_start = std::make_shared<const StationaryResult>(cold);
    const StationaryResult again = solve_stationary(p, ow);
    REQUIRE(again.converged);
    // Offsets 0-11: mean +1.5e-4, sd 5.1e-4 (largest 1.3e-3); |mean| + 4.5 sd = 2.4e-3.
    CHECK(std::fabs(again.C_h0 - cold.C_h0) < 3e-3 * cold.C_h0);

    // A result without lags cannot start anything.
    ow.warm_start = std::make_shared<const StationaryResult>();
    try {
        solve_stationary(p, ow);
        FAIL("expected BadInput");
    } catch (const BadInput& e) {
        CHECK(std::string(e.what()).find("warm_start") != std::string::npos);
    }
}
