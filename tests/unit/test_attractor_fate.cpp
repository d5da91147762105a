// The fate of finite-network trajectories (validation/attractor_fate.hpp): in a stable SCS network every
// start settles on the zero fixed point at the time the linear decay predicts; deep in the chaotic
// phase none does; the lifetime estimator follows its censored-exponential definition.
#include "numerics/errors.hpp"
#include "validation/attractor_fate.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

TEST_CASE("a stable network settles on the zero fixed point when the linear decay says") {
    // SCS limit: g_eff = g_h sigma_r(0) = 1 x 1/2 = 0.5, clock sigma_z(0) = 1/2. Near zero the speed
    // v = |dh/dt|^2/N decays like exp(-2 k t), with k = sigma_z(0) (1 - g_eff) = 0.25 for the slowest
    // modes at large N (the support edge, THEORY.md 4), and faster for most modes. Start: init_std 0.1,
    // so v(0) = sigma_z(0)^2 |(-1 + J') h|^2/N ~ 0.25 x 0.01 x (1 + g_eff^2) ~ 3e-3. Settling at
    // v < 1e-10 needs at most ln(3e-3 / 1e-10) / (2 k) = 34.3 time units (the slowest rate), and at
    // least ln(3e-3 / 1e-10) / (2 x 0.5 x 1.5) = 11.4 (the fastest rate sigma_z(0) (1 + g_eff)).
    ModelParams m;
    m.g_h = 1.0;
    sim::FateOptions o;
    o.N = 300;
    o.networks = 2;
    o.trajectories = 2;
    o.init_std = 0.1;
    o.t_max = 200;
    const auto r = sim::attractor_fates(m, o);
    CHECK(r.total == 4);
    CHECK(r.settled == 4);
    for (const auto& f : r.fates) {
        CHECK(f.t_settle > 11);
        CHECK(f.t_settle < 40);
        CHECK(f.final_q < 1e-6);  // the fixed point is h = 0
    }
    // Censored-exponential estimator with no censoring: the mean settling time, error mean/sqrt(4).
    double mean = 0;
    for (const auto& f : r.fates) mean += f.t_settle / 4;
    CHECK(r.lifetime == doctest::Approx(mean).epsilon(1e-12));
    CHECK(r.lifetime_err == doctest::Approx(mean / 2).epsilon(1e-12));
    CHECK(r.fraction_settled == 1.0);
}

TEST_CASE("deep in the chaotic phase no start settles, and the lifetime is a lower bound") {
    // SCS g_eff = 2: chaos with C_h(0) = 1.92 (THEORY.md 8); the chaotic state of N = 200 does not
    // collapse on accessible times.
    ModelParams m;
    m.g_h = 4.0;
    sim::FateOptions o;
    o.N = 200;
    o.networks = 2;
    o.trajectories = 2;
    o.init_std = 1.0;
    o.t_max = 100;
    const auto r = sim::attractor_fates(m, o);
    CHECK(r.settled == 0);
    CHECK(std::isinf(r.lifetime));
    CHECK(r.lifetime_lower_bound == doctest::Approx(4 * 100.0 / 3));
    for (const auto& f : r.fates) CHECK(f.final_q > 0.3);
}

TEST_CASE("bad fate options name the option") {
    ModelParams m;
    sim::FateOptions o;
    o.init_std = 0;
    CHECK_THROWS_AS(sim::attractor_fates(m, o), BadInput);
    o = {};
    o.dt = 1.0;
    CHECK_THROWS_AS(sim::attractor_fates(m, o), BadInput);
}
