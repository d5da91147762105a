// lambda_max at gated points (THEORY.md 5): the DMFT against finite-N simulation at an output-gated
// point with measured finite-size shortfall, and the sampled tangent DMFT (driven by the Gaussian
// closure's fields) against the deterministic routes (Schrodinger ground state at tau_r = 0, the
// closed-form tangent map at tau_r > 0).
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"
#include "validation/simulation.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

namespace {

ModelParams outgate(double g_h, double alpha_r, double tau_r) {
    ModelParams p;
    p.g_h = g_h, p.alpha_r = alpha_r, p.tau_r = tau_r;  // beta = 0, g_r = 1, alpha_z = 0
    return p;
}

StationaryResult closure(const ModelParams& p) {
    Progress::set_quiet(true);
    StationaryOptions o;
    o.lyapunov = true;
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
    // N = 2000: -2.5% +- 0.8%; the 1/N trend extrapolates to the DMFT within its error (README).
    // Here: 8 other networks (seeds derived from 101), same settings; measured when the test was written:
    // 0.1278 +- 0.0023 (sd 0.0065 per network: these networks scatter more than seeds 1-8). The check is
    //   |lambda - (1 + s) lambda_DMFT| <= 3 sqrt(SE^2 + (SE_s lambda_DMFT)^2)  (0.0075, 5.5%),
    // so a DMFT (or simulator) error beyond ~6% fails. Cost ~55 s CPU.
    const ModelParams p = outgate(3, 4, 0);
    Progress::set_quiet(true);
    const double dmft = closure(p).lambda_max;
    CHECK(dmft == doctest::Approx(0.13559).epsilon(1e-3));
    const double s = -0.036, se_s = 0.0074;
    sim::SimulationOptions o;
    o.N = 1000;
    o.seed = 101;
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
    CHECK(e.stderr_ < 0.003);  // the comparison can resolve a few percent
    CHECK(std::abs(e.mean - (1 + s) * dmft) <= 3 * std::hypot(e.stderr_, se_s * dmft));
}
