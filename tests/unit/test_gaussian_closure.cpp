// Gaussian closure (dmft/gaussian_closure.*): the Newton Jacobian against finite differences, exact erf
// checks of the solution (closed-form pair averages), the static branch, termination reporting.
#include "dmft/fixed_points.hpp"
#include "dmft/gaussian_closure.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <numbers>

using namespace gdmft;

namespace {

// Root of a monotone-crossing function on [a, b] by bisection (independent of GSL and the solver).
double bisect(const std::function<double(double)>& f, double a, double b) {
    double fa = f(a);
    for (int it = 0; it < 200; ++it) {
        const double m = 0.5 * (a + b), fm = f(m);
        if ((fm > 0) == (fa > 0)) {
            a = m;
            fa = fm;
        } else {
            b = m;
        }
    }
    return 0.5 * (a + b);
}

}  // namespace

TEST_CASE("Newton Jacobian of the lag-grid system matches centred finite differences") {
    // A dynamic r gate, inputs (plateau q > 0) and a mean: every term of the Jacobian is exercised.
    ModelParams m;
    m.g_h = 2.5;
    m.alpha_r = 3;
    m.beta_r = 0.4;
    m.tau_r = 0.7;
    m.input_mean = 0.3;
    m.input_std = 0.4;
    const std::size_t n = 16;
    const double h = 0.3;
    closure::LagSystem sys(m, h, n);
    REQUIRE(sys.dynamic_r());
    Eigen::VectorXd x(sys.size());
    for (std::size_t k = 0; k < n; ++k) {
        const double u = k * h;
        x[k] = 0.8 * std::exp(-0.5 * u * u) + 0.1 * std::exp(-u);
        x[sys.iG(k)] = 0.3 * std::exp(-0.3 * u * u) + 0.02 * std::exp(-u);
    }
    x[sys.iq()] = 0.35;
    sys.set_tail_rates(0.6, 0.5);
    const auto e = sys.evaluate(x);
    const Eigen::MatrixXd J = Eigen::MatrixXd(sys.jacobian(e));
    const double eps = 1e-6;
    double worst = 0, scale = J.cwiseAbs().maxCoeff();
    for (Eigen::Index j = 0; j < x.size(); ++j) {
        Eigen::VectorXd xp = x, xm = x;
        xp[j] += eps;
        xm[j] -= eps;
        const Eigen::VectorXd col = (sys.residual(sys.evaluate(xp), xp) - sys.residual(sys.evaluate(xm), xm)) / (2 * eps);
        worst = std::max(worst, (col - J.col(j)).cwiseAbs().maxCoeff());
    }
    CHECK(worst < 1e-6 * scale);
}

TEST_CASE("erf SCS network with quenched input: C_h(0) and the plateau match the closed-form equations") {
    // phi = erf(sqrt(pi) u / 2), alpha_r = alpha_z = 0, mu = 0, input spread s: with k = pi/2,
    // C_phi(c) = (2/pi) asin(a c), a = k / (1 + k c0) (THEORY.md section 1), F(c) = g^2 C_phi(c) + s^2 (g = g_eff).
    // The plateau solves q = F(q) and the energy condition int_q^c0 (F - c) dc = 0 uses
    // int asin(a c) dc = c asin(a c) + sqrt(1 - a^2 c^2)/a. Both are solved here by nested bisection:
    // no pair-average quadrature, no lag grid.
    const double k = std::numbers::pi / 2;
    for (double s : {0.0, 0.5}) {
        const double g = 2.0;  // g_h = 4, beta_r = 0
        auto plateau = [&](double c0) {
            const double a = k / (1 + k * c0);
            return bisect([&](double q) { return g * g * (2 / std::numbers::pi) * std::asin(a * q) + s * s - q; }, s * s,
                          0.999999 * c0);
        };
        auto energy = [&](double c0) {
            const double a = k / (1 + k * c0);
            const double q = s > 0 ? plateau(c0) : 0.0;
            auto prim = [&](double c) {
                return g * g * (2 / std::numbers::pi) * (c * std::asin(a * c) + std::sqrt(1 - a * a * c * c) / a) +
                       s * s * c - 0.5 * c * c;
            };
            return prim(c0) - prim(q);
        };
        const double c0_exact = bisect(energy, 0.5, 6.0);
        ModelParams m;
        m.phi = PhiKind::Erf;
        m.g_h = 4;
        m.input_std = s;
        const auto r = solve_gaussian(m, StationaryOptions{});
        REQUIRE(r.converged);
        CHECK(r.termination == Termination::Converged);
        CHECK(r.C_h0 == doctest::Approx(c0_exact).epsilon(1e-8));
        if (s > 0) CHECK(r.q_h == doctest::Approx(plateau(c0_exact)).epsilon(1e-7));
        // The lag function obeys the closed form too: C_phi(tau) = (2/pi) asin(a C_h(tau)) (mu = 0: <phi> = 0).
        const double a = k / (1 + k * r.C_h0);
        for (std::size_t i : {0ul, 10ul, 100ul})
            CHECK(r.C_phi[i] == doctest::Approx((2 / std::numbers::pi) * std::asin(a * r.C_h[i])).epsilon(1e-9));
    }
}

TEST_CASE("erf fixed points: the nonzero SCS branch solves the closed-form equation") {
    // <phi^2> at variance D is (2/pi) asin(k D / (1 + k D)), k = pi/2; with alpha_r = 0 (s = 0) the branch
    // obeys D = g_eff^2 (2/pi) asin(k D/(1 + k D)). phi' = e^{-(pi/4) u^2}, so <phi'^2> = <e^{-(pi/2) x^2}>
    // = 1/sqrt(1 + pi D) and G = g_eff^2 / sqrt(1 + pi D).
    const double k = std::numbers::pi / 2;
    ModelParams m;
    m.phi = PhiKind::Erf;
    m.g_h = 3.0;  // g_eff = 1.5
    const auto b = fixed_points(m);
    REQUIRE(b.size() == 2);
    CHECK(b[0].Delta_h == 0.0);
    CHECK_FALSE(b[0].stable);
    const double D = bisect([&](double x) { return 2.25 * (2 / std::numbers::pi) * std::asin(k * x / (1 + k * x)) - x; }, 0.1, 9);
    CHECK(b[1].Delta_h == doctest::Approx(D).epsilon(1e-10));
    CHECK(b[1].G == doctest::Approx(2.25 / std::sqrt(1 + std::numbers::pi * D)).epsilon(1e-9));
    CHECK(b[1].G > 1);  // the fixed points of the chaotic SCS network are unstable
    CHECK_FALSE(b[1].stable);
    CHECK(b[1].Delta_r == doctest::Approx(D / 2.25).epsilon(1e-9));  // g_r^2 <phi^2> = D / g_eff^2 at s = 0
}

TEST_CASE("below the transition the stationary state is the static fixed point") {
    ModelParams m;
    m.g_h = 1.8;  // g_eff = 0.9
    StationaryOptions o;
    o.lyapunov = true;
    const auto r = solve_gaussian(m, o);
    CHECK(r.converged);
    CHECK(r.termination == Termination::NoChaoticSolution);
    CHECK(r.C_h0 == 0.0);
    CHECK(r.C_h.back() == 0.0);
    // lambda_max = (s0/tau_h)(-1 + sqrt(G)), G = g_eff^2 = 0.81, s0 = 1/2.
    CHECK(r.lambda_max == doctest::Approx(0.5 * (-1 + 0.9)).epsilon(1e-12));

    // With an input spread the static branch has C_h(0) = Delta_h > 0 (the fixed point) and the plateau
    // equals it: C_h(tau) = q for all tau.
    m.input_std = 0.5;
    const auto rs = solve_gaussian(m, o);
    CHECK(rs.converged);
    const auto fp = fixed_points(m);
    CHECK(rs.C_h0 == doctest::Approx(fp.front().Delta_h).epsilon(1e-12));
    CHECK(rs.q_h == rs.C_h0);
}

TEST_CASE("bad input and non-convergence are reported") {
    ModelParams m;
    m.alpha_z = 1.0;
    CHECK_THROWS_AS(solve_gaussian(m, StationaryOptions{}), BadInput);
    StationaryOptions bad;
    bad.grid.dt = -1;
    CHECK_THROWS_AS(bad.validate(), BadInput);
    bad = StationaryOptions{};
    bad.tol = 0;
    CHECK_THROWS_AS(bad.validate(), BadInput);

    // A dynamic r gate needs several Newton steps (continuation in tau_r): one is not enough.
    ModelParams g;
    g.alpha_r = 4;
    g.tau_r = 2;
    StationaryOptions o;
    o.max_iterations = 2;
    const auto r = solve_gaussian(g, o);
    CHECK_FALSE(r.converged);
    CHECK(r.termination == Termination::MaxIterations);
    CHECK(to_string(r.termination) == "max_iterations");
    CHECK_FALSE(r.message.empty());
    // A window far shorter than the correlation time cannot hold the chaotic solution: Newton falls onto
    // the static branch (C_h(0) = q), which must not be reported as a converged chaotic solution.
    StationaryOptions short_window;
    short_window.grid.window = 3;
    const auto collapsed = solve_gaussian(ModelParams{}, short_window);
    CHECK_FALSE(collapsed.converged);
    CHECK(collapsed.termination == Termination::Diverged);

    o.max_iterations = 200;
    const auto ok = solve_gaussian(g, o);
    CHECK(ok.converged);
    CHECK(ok.residual <= 1e-8 * std::max(1.0, ok.C_h0));
}
