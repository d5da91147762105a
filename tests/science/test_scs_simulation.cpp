// The finite-N simulator in the SCS limit (alpha_z = alpha_r = 0) against the DMFT reference numbers of
// THEORY.md section 8: C_h0 = Delta0 and lambda_max. At beta_r = 0, sigma_r(0) = 1/2, so g_h = 4 gives
// g_eff = g_h sigma_r(0) = 2; at beta_z = 0, sigma_z(0) = 1/2, so tau_eff = tau_h / sigma_z(0) = 2.
#include "validation/simulation.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

ModelParams scs_geff2() {
    ModelParams p;
    p.g_h = 4.0;  // g_eff = 2
    p.alpha_z = p.alpha_r = 0.0;
    p.beta_z = p.beta_r = 0.0;
    p.tau_h = 1.0;
    return p;
}

}  // namespace

TEST_CASE("SCS limit: C_h0 at g_eff = 2 equals the DMFT Delta0 within 4.1%") {
    // THEORY.md section 8: SCS Delta0 at g_eff = 2 is 1.924805 (time-unit free).
    const double delta0 = 1.924805;
    SimulationOptions o;
    o.N = 1000;
    o.seed = gdmft_test::seed(2024);
    o.realizations = 16;
    o.t_burn = 100;  // 50 tau_eff
    o.t_max = 500;   // 400 time units of measurement, ~30 correlation times (tau_corr ~ 13)
    o.integrator.dt = 0.2;  // tau_eff / 10
    o.sample_dt = 0.2;
    o.max_lag = 40;
    const SimulationResult r = simulate(scs_geff2(), o);
    MESSAGE("N = 1000, 16 networks: C_h0 = " << r.C_h0.mean << " +- " << r.C_h0.stderr_ << " (sd " << r.C_h0.sd
                                               << "), DMFT " << delta0 << ", tau_corr = " << r.tau_corr
                                               << "; C_inf_h = " << r.C_inf_h.mean << ", C_h(8)/C_h(0) = "
                                               << r.curves.C_h.back() / r.curves.C_h[0]);
    // Calibration (these settings, GDMFT_TEST_SEED_OFFSET 1-11, 16 networks each): C_h0 mean 1.9144, sd
    // 0.0152 (0.79%), i.e. a finite-size/finite-time shortfall of -0.54%; largest deviation from Delta0
    // -1.9%. Tolerance |bias| + 4.5 sd = 4.1%. (With 1000 time units instead of 400: sd 0.015 as well,
    // the spread is over networks.)
    // The per-network sd: mean 0.065, sd 0.020 (max 0.101); bound 0.19 = mean + 6 sd.
    CHECK(r.C_h0.sd < 0.1 * delta0);  // networks scatter by a few percent, not more
    CHECK(r.C_h0.mean == doctest::Approx(delta0).epsilon(0.041));
    // The DMFT solution has no static part: the variance of per-unit time means is only the finite-time
    // remainder, ~ 2 C_h0 tau_int / T ~ 0.15 for tau_int ~ 15 and T = 400. Measured (offsets 1-11):
    // mean 0.072, sd 0.039, max 0.128; bound 0.385 = mean + 8 sd.
    CHECK(r.C_inf_h.mean < 0.2 * delta0);
    CHECK(r.mean_sigma_z.mean == doctest::Approx(0.5));
    // The autocorrelation starts at C_h0 and decays. C_h(8)/C_h(0) measured (offsets 1-11): mean 0.065,
    // sd 0.030, max 0.131; bound 0.3 = mean + 7.8 sd.
    CHECK(r.curves.C_h[0] == doctest::Approx(r.C_h0.mean).epsilon(1e-9));
    CHECK(r.curves.C_h.back() < 0.3 * r.curves.C_h[0]);
}

TEST_CASE("SCS limit: lambda_max at g_eff = 3 (N = 1000) within 6.4% of the DMFT less its measured finite-N shortfall") {
    // THEORY.md section 8: SCS lambda_max at g_eff = 3 is 0.235461 in units of 1/tau_eff (DMFT);
    // per unit time that is 0.235461 sigma_z(0) / tau_h = 0.117731. Finite N = 4096 gives 0.231 (-2%).
    const double lambda_dmft = 0.235461 * 0.5;
    ModelParams p = scs_geff2();
    p.g_h = 6.0;  // g_eff = 3
    SimulationOptions o;
    o.N = 1000;
    o.seed = gdmft_test::seed(31);
    o.realizations = 8;
    o.t_burn = 100;
    o.t_max = 600;
    o.integrator.dt = 0.2;
    o.sample_dt = 0.2;
    o.max_lag = 20;
    o.lyapunov_k = 1;
    const SimulationResult r = simulate(p, o);
    MESSAGE("g_eff = 3, N = 1000, 8 networks x 500: lambda_max = " << r.lyapunov[0] << " +- " << r.lyapunov_stderr[0]
                                                                   << ", DMFT " << lambda_dmft << "; C_h0 = " << r.C_h0.mean
                                                                   << " (DMFT 5.446322)");
    // Calibration (4 networks x 500 per run, GDMFT_TEST_SEED_OFFSET 1-11, 44 networks): lambda_max mean
    // 0.11010, a finite-size shortfall s = -6.5% (the DMFT is the N -> infinity limit; N = 4096 gives -2%),
    // per-network sd 0.0044, so sd 0.00155 for the mean of 8 networks and 0.00066 for the mean shortfall.
    // The 4-network mean came out 0.1059-0.1134: the former "within 10%" bound (0.1060) was 1.9 sd from
    // the mean and failed in about 3% of fresh samples. The check: |lambda - (1 + s) lambda_DMFT| <=
    // 4.5 sqrt(0.00155^2 + 0.00066^2) = 0.0076 (6.4% of lambda_DMFT), so a DMFT (or simulator) error
    // beyond ~6.5% fails. The standard error over networks is not asserted: measured 0.0021 +- 0.0008
    // (max 0.0031) for 4 networks, the former bound 0.00235 sat 0.4 sd above its mean.
    const double s = -0.065;
    CHECK(std::abs(r.lyapunov[0] - (1 + s) * lambda_dmft) <= 0.0076);
    // THEORY.md section 8: Delta0 = 5.446322 at g_eff = 3. Measured (offsets 1-11, 4 networks): mean
    // 5.4253 (-0.39%), sd 0.077, so sd 0.055 (1.0%) for 8 networks; bound 0.39% + 4.5 sd = 5%.
    CHECK(r.C_h0.mean == doctest::Approx(5.446322).epsilon(0.05));
}

TEST_CASE("SCS limit: lambda_max at g_eff = 2 (N = 2000) within 11.5% of the DMFT less its measured finite-N shortfall") {
    // THEORY.md section 8: SCS lambda_max at g_eff = 2 is 0.112458 / tau_eff (DMFT) = 0.056229 per unit
    // time at sigma_z(0) = 1/2, tau_h = 1. Finite N suppresses it: measured here 0.0505 +- 0.0006 at
    // N = 1000 (16 networks, -10%), 0.054 +- 0.0017 and 0.0523 +- 0.0014 at N = 2000 (-4% and -7%),
    // consistent with a 1/N correction and THEORY's 0.110/2 at N = 4096 (-2%). So N = 2000 is needed.
    const double lambda_dmft = 0.112458 * 0.5;
    SimulationOptions o;
    o.N = 2000;
    o.seed = gdmft_test::seed(5);
    o.realizations = 2;
    o.trajectories = 2;  // same network, two trajectories advanced together (matrix-matrix products)
    o.t_burn = 100;
    o.t_max = 700;
    o.integrator.dt = 0.2;
    o.sample_dt = 0.2;
    o.max_lag = 20;
    o.record_mb = 64;
    o.lyapunov_k = 1;
    const SimulationResult r = simulate(scs_geff2(), o);
    std::vector<double> per_network;
    for (const auto& run : r.runs) per_network.push_back(run.lyapunov.exponents[0]);
    MESSAGE("g_eff = 2, N = 2000, 2 networks x 2 trajectories x 600: lambda_max = " << r.lyapunov[0] << " (networks "
            << per_network[0] << ", " << per_network[1] << "; block errors " << r.runs[0].lyapunov.stderr_[0] << ", "
            << r.runs[1].lyapunov.stderr_[0] << "), DMFT " << lambda_dmft);
    // Calibration (these settings, GDMFT_TEST_SEED_OFFSET 1-11): mean 0.05301, i.e. a finite-size shortfall
    // s = -5.7%, sd 0.00138 (2.5%; range 0.0510-0.0562). The former "within 10%" bound (0.0506) was 1.7 sd
    // from the mean (about 4% of fresh samples failed). Check: |lambda - (1 + s) lambda_DMFT| <= 4.5
    // sqrt(0.00138^2 + (0.00138/sqrt(11))^2) = 0.0065 (11.5%): this point resolves DMFT errors of ~12%;
    // the g_eff = 3 check above is the sharper one. Upper bound 1.05 lambda_DMFT: mean + 4.4 sd.
    const double s = -0.057;
    CHECK(std::abs(r.lyapunov[0] - (1 + s) * lambda_dmft) <= 0.0065);
    CHECK(r.lyapunov[0] < lambda_dmft * 1.05);  // finite N suppresses, never enhances beyond noise
}
