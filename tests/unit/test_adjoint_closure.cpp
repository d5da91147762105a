// The closure route of the adjoint DMFT (dmft/adjoint.hpp, adjoint_closure.cpp) against references it
// does not compute: the exact E|exp(A^T s) w|^2/N of an iid random matrix (THEORY.md 7, a Bessel
// function), lambda_max tau_eff of THEORY.md 8 (SCS), the Schrodinger ground state and the closure
// tangent map (different equations: stationary, in the lag only), and the support edge of THEORY.md 4.
#include "dmft/adjoint.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"

#include <doctest/doctest.h>
#include <gsl/gsl_sf_bessel.h>

#include <cmath>

using namespace gdmft;

namespace {

StationaryResult closure(const ModelParams& p) {
    StationaryOptions o;
    o.lyapunov = true;
    const StationaryResult r = solve_gaussian(p, o);
    REQUIRE(r.converged);
    REQUIRE(r.termination == Termination::Converged);
    return r;
}

}  // namespace

TEST_CASE("zero fixed point: a_h2 = e^{-2 kappa s} I_0(2 g kappa s), the iid-matrix closed form") {
    // At h = 0 the adjoint is exp(A^T s) w with A = kappa (-I + g_eff J), kappa = sigma_z(0)/tau_h and
    // J iid N(0, 1/N); THEORY.md 7: E|exp(A^T s) w|^2 / N = e^{-2 kappa s} I_0(2 g_eff kappa s).
    ModelParams p;
    p.g_h = 1.6;      // g_eff = 0.8
    p.alpha_r = 3;    // sigma_r' phi = 0 at h = 0: the r gate drops out of the adjoint
    AdjointOptions o;
    o.horizon = 30;
    o.dt = 0.05;
    const AdjointResult r = adjoint_fixed_point(p, 0.0, 0.0, o);
    REQUIRE(r.finite);
    const double kappa = 0.5, g = 0.8;
    double worst = 0;
    for (std::size_t i = 0; i < r.t_before_horizon.size(); ++i) {
        const double s = r.t_before_horizon[i];
        // ln(e^{-2 kappa s} I_0(x)) with the scaled Bessel function (I_0(x) e^{-x}).
        const double x = 2 * g * kappa * s;
        const double exact = -2 * kappa * s + x + std::log(gsl_sf_bessel_I0_scaled(x));
        worst = std::max(worst, std::abs(r.log_a_h2[i] - exact));
    }
    MESSAGE("largest |ln a_h2 - exact| over s in [0, 30]: " << worst);
    CHECK(worst < 2e-4);
    // The asymptotic rate 2 kappa (g - 1) with the s^{-1/2} prefactor (fit with the power term).
    MESSAGE("growth " << r.growth_rate << " power " << r.growth_prefactor_power);
    CHECK(r.growth_rate == doctest::Approx(2 * kappa * (g - 1)).epsilon(0.005));
    CHECK(r.reference_growth == doctest::Approx(2 * kappa * (g - 1)).epsilon(1e-6));
    CHECK(r.grad_norm_Jh.back() == 0.0);  // phi(0) = 0: no presynaptic activity
}

TEST_CASE("SCS chaos: growth rate = 2 lambda_max (THEORY.md 8)") {
    // lambda_max tau_eff = 0.046746 (g_eff 1.5), 0.112458 (g_eff 2); tau_eff = 2 at the default biases.
    for (auto [g, lam] : {std::pair{3.0, 0.046746}, std::pair{4.0, 0.112458}}) {
        ModelParams p;
        p.g_h = g;
        AdjointOptions o;
        o.horizon = 120;
        o.dt = 0.1;
        const AdjointResult r = adjoint_closure(p, closure(p), o);
        REQUIRE(r.finite);
        const double want = 2 * lam / p.tau_eff();
        MESSAGE("g_h " << g << ": growth " << r.growth_rate << " +- " << r.growth_rate_err << ", 2 lambda_max "
                       << want << ", reference " << r.reference_growth);
        CHECK(r.growth_rate == doctest::Approx(want).epsilon(0.005));
        CHECK(r.grad_norm_Jh.back() > 0);
        CHECK(r.grad_norm_Jr.back() == 0.0);  // constant output gate
    }
}

TEST_CASE("output gate: growth rate = 2 lambda_max of the closure tangent map, tau_r = 0 and tau_r = 1") {
    for (double tau_r : {0.0, 1.0}) {
        ModelParams p;
        p.g_h = 3;
        p.alpha_r = 4;
        p.tau_r = tau_r;
        AdjointOptions o;
        o.horizon = 120;
        o.dt = 0.1;
        const StationaryResult c = closure(p);
        const AdjointResult r = adjoint_closure(p, c, o);
        const ClosureTangentMapResult t = closure_tangent_lambda(p, c);
        REQUIRE(t.converged);
        MESSAGE("tau_r " << tau_r << ": growth " << r.growth_rate << ", 2 lambda_max " << 2 * t.lambda_max);
        CHECK(r.growth_rate == doctest::Approx(2 * t.lambda_max).epsilon(0.005));
        CHECK(r.grad_norm_Jr.back() > 0);
        CHECK(r.a_r2.empty() == (tau_r == 0));
    }
}

TEST_CASE("nonzero stable fixed point: growth rate = twice the support edge (THEORY.md 4)") {
    // A quenched input holds the network at a nonzero stable fixed point (Delta_h > 0, G < 1), with a
    // dynamic output gate (the support edge then solves the tau_r-filtered edge equation).
    ModelParams p;
    p.g_h = 1.5;
    p.alpha_r = 2;
    p.tau_r = 0.5;
    p.input_std = 0.5;
    const auto branches = fixed_points(p);
    const FixedPointBranch* stable = nullptr;
    for (const auto& b : branches)
        if (b.Delta_h > 0 && b.stable) stable = &b;
    REQUIRE(stable != nullptr);
    AdjointOptions o;
    o.horizon = 200;
    o.dt = 0.1;
    const AdjointResult r = adjoint_fixed_point(p, stable->Delta_h, stable->Delta_r, o);
    REQUIRE(r.finite);
    MESSAGE("Delta_h " << stable->Delta_h << ": growth " << r.growth_rate << " (power " << r.growth_prefactor_power
                       << "), 2 x edge " << r.reference_growth);
    CHECK(r.reference_growth < 0);
    CHECK(r.growth_rate == doctest::Approx(r.reference_growth).epsilon(0.005));
}

TEST_CASE("bad input names the option") {
    ModelParams p;
    AdjointOptions o;
    o.horizon = -1;
    CHECK_THROWS_AS(adjoint_fixed_point(p, 0, 0, o), BadInput);
    o.horizon = 10;
    o.dt = 0.03;  // does not divide 10
    CHECK_THROWS_AS(adjoint_fixed_point(p, 0, 0, o), BadInput);
    o.dt = 0.01;
    o.memory_limit = 1000;
    CHECK_THROWS_AS(adjoint_fixed_point(p, 0, 0, o), BadInput);
    p.alpha_z = 1;  // the closure route of the chaotic state needs a constant clock
    o.memory_limit = std::size_t(1) << 30;
    StationaryResult fake;
    CHECK_THROWS_AS(adjoint_closure(p, fake, o), BadInput);
}

TEST_CASE("format_log_value beyond the double range") {
    CHECK(format_log_value(std::log(2.5), 3) == "2.50e+00");
    CHECK(format_log_value(1000 * std::log(10.0) + std::log(3.0), 3) == "3.00e+1000");
}
