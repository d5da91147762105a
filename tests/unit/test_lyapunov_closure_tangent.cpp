// lambda_max of the Gaussian closure by the closed-form tangent map (dmft/lyapunov_closure_tangent.*)
// against references it does not compute: THEORY.md 8 (SCS), the Schrodinger ground state (a different
// discretisation of the same operator, dmft/lyapunov_schrodinger.*), and at a fixed point the support
// edge of THEORY.md 4 in closed form (which checks the tau_r > 0 filters of the map).
#include "dmft/fixed_points.hpp"
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <tuple>
#include <utility>

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

// A Gaussian-closure result that sits at a fixed point: constant C_h = Delta_h, C_r = Delta_r.
StationaryResult at_fixed_point(const ModelParams& p, const FixedPointBranch& b, std::size_t n, double dt) {
    StationaryResult r;
    r.method = "gaussian";
    r.termination = Termination::Converged;
    r.converged = true;
    r.mean_h = p.input_mean;
    r.C_h0 = b.Delta_h;
    for (std::size_t k = 0; k < n; ++k) r.tau.push_back(dt * double(k));
    r.C_h.assign(n, b.Delta_h);
    r.C_r.assign(n, b.Delta_r);
    r.C_srphi.assign(n, 0.0);
    return r;
}

}  // namespace

TEST_CASE("SCS limit: lambda_max tau_eff of THEORY.md 8 (g_eff = 1.5 and 2)") {
    // THEORY.md 8: 0.046746 (g_eff = 1.5) and 0.112458 (g_eff = 2) per effective time constant (6 digits).
    for (auto [g, exact] : {std::pair{3.0, 0.046746}, std::pair{4.0, 0.112458}}) {
        ModelParams p;
        p.g_h = g;  // sigma_r(0) = sigma_z(0) = 1/2: g_eff = g/2, tau_eff = 2
        const ClosureTangentMapResult t = closure_tangent_lambda(p, closure(p));
        INFO(t.message);
        REQUIRE(t.converged);
        CHECK(t.lambda_max * p.tau_eff() == doctest::Approx(exact).epsilon(2e-5));
    }
}

TEST_CASE("output gate, tau_r = 0: the closed-form map and the Schrodinger ground state agree") {
    // The reference point of THEORY.md 8 and a second one at a different g_h and bias: two
    // discretisations (finite differences with Richardson vs the FFT low-pass on the lag grid).
    for (auto [g, alpha, beta] : {std::tuple{3.0, 4.0, 0.0}, std::tuple{4.0, 2.0, 1.0}}) {
        ModelParams p;
        p.g_h = g, p.alpha_r = alpha, p.beta_r = beta, p.tau_r = 0;
        const StationaryResult c = closure(p);
        const ClosureTangentMapResult t = closure_tangent_lambda(p, c);
        INFO(t.message << "; Schrodinger " << c.lambda_max);
        REQUIRE(t.converged);
        CHECK(c.zero_mode_eigenvalue == doctest::Approx(-1).epsilon(1e-6));
        CHECK(t.lambda_max > 0.05);
        CHECK(t.lambda_max == doctest::Approx(c.lambda_max).epsilon(1e-6));
    }
}

TEST_CASE("tau_r > 0 at a fixed point: the map's spectral radius is the support edge of THEORY.md 4") {
    // At a fixed point the Perron vector of the map is flat and rho(lambda) is the left side of the
    // support-boundary equation on the real axis, in closed form. An unstable nonzero fixed point
    // (G > 1, lambda > 0) of a steep output gate, with tau_r = 0, 1 and 4.
    ModelParams p;
    p.g_h = 3, p.alpha_r = 4;
    const auto branches = fixed_points(p);
    const FixedPointBranch* b = nullptr;
    for (const auto& x : branches)
        if (x.Delta_h > 0.1 && x.G > 1) b = &x;
    REQUIRE(b != nullptr);
    const double s0 = p.gate_z().at_zero();
    double prev = 1e300;
    for (double tau_r : {0.0, 1.0, 4.0}) {
        p.tau_r = tau_r;
        const double edge = fixed_point_lambda(p, b->Delta_h, b->Delta_r);
        if (tau_r == 0) CHECK(edge == doctest::Approx(s0 / p.tau_h * (-1 + std::sqrt(b->G))).epsilon(1e-10));
        const ClosureTangentMapResult t = closure_tangent_lambda(p, at_fixed_point(p, *b, 200, 0.1));
        INFO("tau_r " << tau_r << ": " << t.message << "; edge " << edge);
        REQUIRE(t.converged);
        CHECK(t.lambda_max == doctest::Approx(edge).epsilon(1e-7));
        CHECK(edge < prev);  // a slower r gate feeds back less at lambda > 0
        prev = edge;
    }
}

TEST_CASE("zero fixed point: the support edge (s0/tau_h)(-1 + g_h sigma_r(0)) for any tau_r") {
    ModelParams p;
    p.g_h = 1.5, p.alpha_r = 2, p.beta_z = 1;  // <phi^2> = 0 at Delta = 0: the r feedback drops out
    const double s0 = p.gate_z().at_zero();
    for (double tau_r : {0.0, 1.0})
        CHECK(fixed_point_lambda((p.tau_r = tau_r, p), 0.0, 0.0) ==
              doctest::Approx(s0 / p.tau_h * (-1 + p.g_h * p.gate_r().at_zero())).epsilon(1e-10));
}
