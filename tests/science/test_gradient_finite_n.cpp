// The adjoint DMFT (closure route) against exact finite-N backpropagation (validation/backprop.hpp): the
// growth rate of |a_h|^2/N and grad_norm_Jh over a window of 12 tau_h, at a stable fixed point with a
// quenched input and a dynamic output gate, and in the chaotic state of the output-gated point.
// N = 300, 3 networks x 4 readouts: the finite-N values scatter (and carry a finite-size bias), so each
// bound is |mean| + 4.5 sd of (sim/DMFT - 1) measured over the seed offsets listed at each check.
#include "dmft/adjoint.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/stationary.hpp"
#include "tests/test_seed.hpp"
#include "validation/backprop.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

namespace {

struct Ratios {
    double growth = 0;  // finite N / DMFT
    double norm = 0;    // ln(finite N / DMFT) of grad_norm_Jh (heavy-tailed across networks)
};

Ratios compare(const ModelParams& p, const AdjointResult& dmft, std::uint64_t seed, double T, int networks) {
    sim::BackpropOptions o;
    o.N = 300;
    o.networks = networks;
    o.readouts = 4;
    o.burn_in = 50;
    o.seed = seed;
    o.window.horizon = T;
    o.window.dt = 0.05;
    o.window.profile_spacing = 0.5;
    const sim::BackpropResult r = sim::backprop_gradients(p, o);
    const sim::GrowthFit g = sim::fit_growth_rate(r, T / 2, T);
    REQUIRE(r.grad_norm_Jh.value());
    // The DMFT's plain slope over the same window (its own fit adds a power-law prefactor at fixed points).
    const double slope = detail::fit_growth(dmft.t_before_horizon, dmft.log_a_h2, T / 2, false).first;
    Ratios x{g.rate / slope, std::log(*r.grad_norm_Jh.value() / dmft.grad_norm_Jh.back())};
    MESSAGE("growth sim " << g.rate << " +- " << g.stderr_ << " DMFT " << slope << "; grad_norm_Jh sim "
                          << *r.grad_norm_Jh.value() << " DMFT " << dmft.grad_norm_Jh.back() << "; ratios " << x.growth
                          << " " << x.norm);
    return x;
}

AdjointOptions window(double T) {
    AdjointOptions a;
    a.horizon = T;
    a.dt = 0.05;
    a.fit_from = 0.001;  // the late window [6, 12], as for the networks
    return a;
}

}  // namespace

TEST_CASE("stable fixed point: DMFT decay and gradient size against N = 300 networks") {
    ModelParams p;
    p.g_h = 1.5, p.alpha_r = 2, p.tau_r = 0.5, p.input_std = 0.5;
    const FixedPointBranch* st = nullptr;
    const auto b = fixed_points(p);
    for (const auto& x : b)
        if (x.stable) st = &x;
    REQUIRE(st != nullptr);
    const AdjointResult d = adjoint_fixed_point(p, st->Delta_h, st->Delta_r, window(12));
    const Ratios x = compare(p, d, gdmft_test::seed(501), 12, 3);
    // Seed offsets 1-12: growth ratio - 1 = +0.015 +- 0.041 (sd; range -0.044 .. +0.065),
    // ln norm ratio = +0.028 +- 0.070 (range -0.069 .. +0.157). Bounds |mean| + 4.5 sd.
    CHECK(std::abs(x.growth - 1) < 0.20);
    CHECK(std::abs(x.norm) < 0.34);
}

TEST_CASE("chaotic state (g_h 3, alpha_r 4, tau_r 0): DMFT growth and gradient size against N = 300 networks") {
    ModelParams p;
    p.alpha_r = 4, p.tau_r = 0;
    const StationaryResult c = solve_gaussian(p, StationaryOptions{});
    REQUIRE(c.converged);
    const AdjointResult d = adjoint_closure(p, c, window(20));
    const Ratios x = compare(p, d, gdmft_test::seed(502), 20, 4);
    // Seed offsets 1-12: growth ratio - 1 = -0.109 +- 0.189 (sd; range -0.459 .. +0.189): finite-time
    // growth of N = 300 networks scatters widely and sits below the DMFT (lambda_max is 1/N-suppressed);
    // ln norm ratio = +0.175 +- 0.541 (range -0.506 .. +1.145). Bounds |mean| + 4.5 sd. The precise
    // comparison is the N = 500-2000 study of docs/gradient.md section 5.
    CHECK(std::abs(x.growth - 1) < 0.96);
    CHECK(std::abs(x.norm) < 2.61);
}
