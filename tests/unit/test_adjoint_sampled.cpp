// Unit checks of the sampled adjoint DMFT (dmft/adjoint_sampled.hpp): the march against its closed form
// with the coupling switched off (second order in dt, exactly Heun's amplification factor), thread-count
// independence, the SCS growth rate against 2 lambda_max of the Schrodinger route, and the input rules.
#include "dmft/adjoint_sampled.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"

#include "tests/test_seed.hpp"

#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <string>

using namespace gdmft;

namespace {

// SCS with open gates: sigma_z = sigma_r = 1/(1 + e^-20) (g_eff = g_h, tau_eff = tau_h).
ModelParams scs(double g) {
    ModelParams p;
    p.g_h = g;
    p.beta_z = p.beta_r = -20;
    p.tau_r = 0;
    return p;
}

StationaryResult closure(const ModelParams& p, double dt) {
    StationaryOptions so;
    so.grid.dt = dt;
    so.lyapunov = true;  // Schrodinger route (the closure with tau_r = 0)
    return solve_gaussian(p, so);
}

std::string bad_name(const ModelParams& p, const StationaryResult& f, const AdjointOptions& o,
                     const AdjointSampledOptions& so) {
    try {
        adjoint_sampled(p, f, o, so);
    } catch (const BadInput& e) {
        return e.name;
    }
    return "";
}

}  // namespace

TEST_CASE("sampled adjoint: bad input names the option") {
    const ModelParams p = scs(2.0);
    const StationaryResult f = closure(p, 0.05);
    REQUIRE(f.converged);
    AdjointOptions o;
    o.horizon = 4;
    o.dt = 0.05;
    o.profile_spacing = 0.5;
    AdjointSampledOptions so;
    so.paths = 64;
    so.random_sets = 1;
    CHECK(bad_name(p, f, o, so) == "");
    {
        AdjointOptions b = o;
        b.horizon = 0;
        CHECK(bad_name(p, f, b, so) == "horizon");
        b.horizon = -1;
        CHECK(bad_name(p, f, b, so) == "horizon");
    }
    {
        AdjointOptions b = o;
        b.dt = 0.03;  // does not divide 4
        CHECK(bad_name(p, f, b, so) == "dt");
        b.dt = 0.1;   // divides 4 but not the closure's lag step 0.05
        CHECK(bad_name(p, f, b, so) == "dt");
    }
    {
        AdjointOptions b = o;
        b.memory_limit = 100000;  // 64 paths x 81 steps need ~ 0.2 MB
        CHECK(bad_name(p, f, b, so) == "memory-limit");
    }
    {
        AdjointSampledOptions b = so;
        b.paths = 4;
        CHECK(bad_name(p, f, o, b) == "paths");
        b = so;
        b.random_sets = 0;
        CHECK(bad_name(p, f, o, b) == "random_sets");
    }
    {
        StationaryResult nf = f;
        nf.converged = false;
        nf.termination = Termination::MaxIterations;
        CHECK(bad_name(p, nf, o, so) == "forward");
    }
}

TEST_CASE("sampled adjoint: with g_h -> 0 the march is Heun's step of a_h' = -(s0/tau_h) a_h exactly (second order)") {
    // a_h(s) = w exp(-s0 s / tau_h) per path, so ln <a_h^2>(s) = -2 s0 s / tau_h (w is normalised to <w^2> = 1).
    // Heun's amplification per step is 1 - x + x^2/2, x = s0 dt / tau_h: after n steps ln <a_h^2> = 2n ln(1 - x + x^2/2).
    // The fields are O(g_h) = 1e-9: their contribution is O(1e-18).
    const StationaryResult f = closure(scs(2.0), 0.05);
    REQUIRE(f.converged);
    ModelParams p = scs(2.0);
    p.g_h = 1e-9;
    const double s0 = p.gate_z().at_zero();
    AdjointOptions o;
    o.horizon = 10;
    o.profile_spacing = 1;
    AdjointSampledOptions so;
    so.paths = 64;
    so.random_sets = 1;
    so.seed = gdmft_test::seed(11);
    double err[2];
    const double dts[2] = {0.05, 0.025};
    for (int i = 0; i < 2; ++i) {
        o.dt = dts[i];
        const AdjointResult r = adjoint_sampled(p, f, o, so);
        REQUIRE(r.finite);
        const double x = s0 * o.dt / p.tau_h;
        for (std::size_t k = 0; k < r.t_before_horizon.size(); ++k) {
            const double n = std::round(r.t_before_horizon[k] / o.dt);
            CHECK(r.log_a_h2[k] == doctest::Approx(2 * n * std::log(1 - x + x * x / 2)).epsilon(1e-9));
        }
        err[i] = r.log_a_h2.back() - (-2 * s0 * o.horizon / p.tau_h);
        // The growth rate of the fit is the exact decay rate to O(dt^2).
        CHECK(r.growth_rate == doctest::Approx(-2 * s0 / p.tau_h).epsilon(1e-3));
        CHECK(r.grad_norm_Jz.back() == 0.0);
        CHECK(r.grad_norm_Jr.back() == 0.0);
    }
    // Second order: halving dt divides the error by 4 (x^3/6 per step).
    CHECK(err[0] / err[1] == doctest::Approx(4.0).epsilon(0.02));
}

TEST_CASE("sampled adjoint: results do not depend on the number of threads") {
    const ModelParams p = scs(2.0);
    const StationaryResult f = closure(p, 0.05);
    REQUIRE(f.converged);
    AdjointOptions o;
    o.horizon = 5;
    o.dt = 0.05;
    o.profile_spacing = 0.5;
    AdjointSampledOptions so;
    so.paths = 200;  // not a multiple of the chunk
    so.random_sets = 2;
    so.seed = gdmft_test::seed(5);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const AdjointResult a = adjoint_sampled(p, f, o, so);
    omp_set_num_threads(3);
    const AdjointResult b = adjoint_sampled(p, f, o, so);
    omp_set_num_threads(saved);
    REQUIRE(a.log_a_h2.size() == b.log_a_h2.size());
    for (std::size_t k = 0; k < a.log_a_h2.size(); ++k) CHECK(a.log_a_h2[k] == b.log_a_h2[k]);
    for (std::size_t k = 0; k < a.grad_norm_Jh.size(); ++k) CHECK(a.grad_norm_Jh[k] == b.grad_norm_Jh[k]);
    CHECK(a.growth_rate == b.growth_rate);
}

TEST_CASE("sampled adjoint: SCS g_eff = 2 grows at 2 lambda_max (Schrodinger route of the closure)") {
    // 2 lambda_max = 0.224916 per tau_h (THEORY.md 8: 0.112458 per tau_eff; tau_eff = tau_h here), from
    // the closure's Schrodinger ground state, an independent method. Forward paths from the closure's
    // fields at its lag step 0.1; 4096 paths x 4 sets, T = 20, fit over [6, 20].
    // Calibrated over seeds 1-12 of bench_adjoint (same settings): growth / (2 lambda_max) =
    // 1.008 1.000 1.045 0.967 1.012 1.012 0.926 1.024 0.995 0.955 0.966 1.000: mean 0.992, sd 0.033.
    // Bound |mean - 1| + 4.5 sd = 0.16. This is far from the 3% target of issue 13: the march is a finite
    // "network" of P paths whose log-norm diffuses (see the report); the science test repeats the check
    // at g_eff = 3 and with an output gate.
    const ModelParams p = scs(2.0);
    const StationaryResult f = closure(p, 0.1);
    REQUIRE(f.converged);
    REQUIRE(f.lambda_max == doctest::Approx(0.112458).epsilon(1e-3));
    AdjointOptions o;
    o.horizon = 20;
    o.dt = 0.1;
    o.fit_from = 0.3;
    o.profile_spacing = 1;
    AdjointSampledOptions so;
    so.paths = 4096;
    so.random_sets = 4;
    so.seed = gdmft_test::seed(21);
    const AdjointResult r = adjoint_sampled(p, f, o, so);
    REQUIRE(r.finite);
    CHECK(r.reference_growth == doctest::Approx(2 * f.lambda_max));
    CHECK(std::abs(r.growth_rate / (2 * f.lambda_max) - 1) < 0.16);
    // The gradient norm grows with the horizon (roughly as e^{growth T'}).
    for (std::size_t i = 1; i < r.grad_norm_Jh.size(); ++i) CHECK(r.grad_norm_Jh[i] > r.grad_norm_Jh[i - 1]);
}
