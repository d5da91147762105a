// lambda_max at gated points (THEORY.md 5): the DMFT against finite-N simulation at an output-gated
// point with measured finite-size shortfall, and the sampled tangent DMFT (driven by the Gaussian
// closure's fields) against the deterministic routes (Schrodinger ground state at tau_r = 0, the
// closed-form tangent map at tau_r > 0).
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/lyapunov_sampled.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"
#include "validation/simulation.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

using namespace gdmft;

namespace {

ModelParams outgate(double g_h, double alpha_r, double tau_r) {
    ModelParams p;
    p.g_h = g_h, p.alpha_r = alpha_r, p.tau_r = tau_r;  // beta = 0, g_r = 1, alpha_z = 0
    return p;
}

StationaryResult closure(const ModelParams& p, double dt = 0.05) {
    StationaryOptions o;
    o.lyapunov = true;
    o.grid.dt = dt;
    const StationaryResult r = solve_gaussian(p, o);
    REQUIRE(r.converged);
    REQUIRE(r.termination == Termination::Converged);
    return r;
}

}  // namespace

TEST_CASE("alpha_r = 4, tau_r = 0, g_h = 3: finite N = 1000 against the DMFT with its measured shortfall") {
    // DMFT: the Schrodinger ground state of the Gaussian closure, 0.13559 per tau_h.
    // Finite-size shortfall at N = 1000 measured by scripts/lyapunov_vs_N.sh (8 networks, seeds 1-8,
    // t = 500, burn-in 100, RK4 dt 0.1): 0.1307 +- 0.0010, i.e. s = -3.6% +- 0.74% (sd 0.0028 per network);
    // The error is the larger of the spread over networks (0.0010) and the time-block error of the mean
    // (0.0017), as in the README table: s = -3.6% +- 1.25%. N = 2000: -2.5%, N = 4000: -1.1%; the 1/N trend
    // extrapolates to the DMFT within its error (README).
    // Here: 8 other networks (seeds derived from 101), same settings; measured when the test was written:
    // 0.1278 +- 0.0023 (sd 0.0065 per network: these networks scatter more than seeds 1-8).
    // Calibration of this check (GDMFT_TEST_SEED_OFFSET 1-11, 8 networks each, 88 networks): the 8-network
    // mean 0.12805, sd 0.00095 over the 11 runs (range 0.1271-0.1297); rms per-network sd 0.0038, i.e.
    // 0.00134 for a mean of 8, the larger and the one used. The shortfall at N = 1000 is therefore
    // s = -5.6% +- 0.3% on these 88 networks (the README's -3.6% +- 1.25% from seeds 1-8 is 1.6 of its
    // errors away). The check is
    //   |lambda - (1 + s) lambda_DMFT| <= 4.5 sqrt(0.00134^2 + (0.00134/sqrt(11))^2) = 0.0063 (4.6%),
    // so a DMFT (or simulator) error beyond ~5% fails. The former bound 3 sqrt(SE^2 + (0.0125 lambda)^2)
    // counted on the README's shortfall and 3 standard errors of 8 networks. The standard error over the
    // 8 networks (measured 0.00125 +- 0.0005, max 0.0021) is not asserted: the fixed tolerance does not
    // depend on it. Cost ~55 s CPU.
    const ModelParams p = outgate(3, 4, 0);
    const double dmft = closure(p).lambda_max;
    CHECK(dmft == doctest::Approx(0.13559).epsilon(1e-3));
    const double s = -0.056;
    sim::SimulationOptions o;
    o.N = 1000;
    o.seed = gdmft_test::seed(101);
    o.realizations = 8;
    o.t_max = 500;
    o.t_burn = 100;
    o.integrator.dt = 0.1;
    o.sample_dt = 0.5;
    o.max_lag = 10;
    o.lyapunov_k = 1;
    const sim::SimulationResult r = sim::simulate(p, o);
    std::vector<double> v;
    for (const auto& run : r.runs) v.push_back(run.lyapunov.exponents[0]);
    const MeanErr e = mean_err(v);
    MESSAGE("N = 1000, 8 networks: lambda_max = " << e.mean << " +- " << e.stderr_ << " (sd " << e.sd << "); DMFT "
                                                  << dmft << ", expected with the measured shortfall "
                                                  << (1 + s) * dmft);
    CHECK(std::abs(e.mean - (1 + s) * dmft) <= 0.0063);
}

// The sampled tangent DMFT (dmft/tangent_dmft.*, driven by the closure's fields: dmft/lyapunov_sampled.*)
// against the deterministic value on the same closure. Two random sets of 512 paths (640 tau_h each,
// dt 0.1), ~35 s CPU each. Measured with 4 sets of 512 paths (seeds 1 and 7, other than the test's):
// per-set sd 0.0043 and 0.0023 at the first point, 0.0049 and 0.0026 at the second; the means lay 1.5%
// and 2.0% (first point), 1.1% and 2.4% (second) below the deterministic value, a finite-path bias
// within the tolerance (two sets of 1024 paths: +0.1%). Former tolerance: 3 max(stated error, 0.0049/sqrt(2)).
// Calibration over GDMFT_TEST_SEED_OFFSET 1-10 (2 sets each): sampled minus deterministic -0.0003 +- 0.0041
// (sd of the 2-set mean; max |.| 0.0058) at the first point and -0.0002 +- 0.0042 (max 0.0056) at the
// second; per-set sd 0.0052 and 0.0054 (larger than the 0.0043/0.0023 above). The former floor 0.0104 was 2.5
// sd (about 1% of fresh samples fail). Tolerance now |mean| + 4.5 sd = 0.019 (14% and 16% of the values: this
// check resolves gross errors of the sampled tangent map; the deterministic lambda_max is checked to 1%
// against THEORY.md in test_gaussian_closure_reference). The stated error of 2 sets, |a - b|/2, measured
// 0.0026-0.0030 +- 0.002 (max 0.0069): the former bound 0.01 is 2.7 of its scale sigma_set/sqrt(2) (0.7% of
// fresh samples exceed it), so it is no longer asserted.
// Re-checked over offsets 1-10 after the power iteration was Anderson-mixed (converged on the eigenvector's
// residual) and set 2 warm-started from set 1's root: -0.0005 +- 0.0041 (max |.| 0.0058) and -0.0003 +-
// 0.0042 (max 0.0055); the bound is 4.5 sd from the mean at both points.
namespace {

void sampled_vs_deterministic(const ModelParams& p, double reference, std::uint64_t seed) {
    const StationaryResult c = closure(p, 0.1);
    ClosureTangentOptions o;
    o.paths = 512;
    o.random_sets = 2;
    o.seed = gdmft_test::seed(seed);
    const ClosureTangentResult t = tangent_lambda_from_closure(p, c, o);
    MESSAGE("sampled tangent " << t.lambda_max << " +- " << t.lambda_max_err << " (sets " << t.set_lambda[0] << ", "
                               << t.set_lambda[1] << "), deterministic " << reference << "; " << t.message);
    REQUIRE(t.converged);
    CHECK(t.lambda_max_err > 0);
    CHECK(t.clipped_weight < 1e-3);  // measured 4e-11 - 6e-11
    CHECK(std::abs(t.lambda_max - reference) <= 0.019);
}

}  // namespace

TEST_CASE("sampled tangent vs Schrodinger ground state: alpha_r = 4, tau_r = 0, g_h = 3") {
    const ModelParams p = outgate(3, 4, 0);
    const StationaryResult c = closure(p, 0.1);
    CHECK(c.zero_mode_eigenvalue == doctest::Approx(-1).epsilon(1e-6));  // the Schrodinger route's check
    sampled_vs_deterministic(p, c.lambda_max, 1);
}

TEST_CASE("sampled tangent vs the closed-form tangent map: alpha_r = 2, tau_r = 1, g_h = 4") {
    // A dynamic r gate: the y_r filter of the sampled map (time constant tau_r / (1 + tau_r lambda)) is
    // exercised; the reference is closure_tangent_lambda (unit-tested against the Schrodinger ground
    // state and the fixed-point support edge).
    const ModelParams p = outgate(4, 2, 1);
    const ClosureTangentMapResult d = closure_tangent_lambda(p, closure(p, 0.1));
    REQUIRE(d.converged);
    sampled_vs_deterministic(p, d.lambda_max, 1);
}
