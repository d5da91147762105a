// gdmft gradient as a user runs it: the INTERFACE.md keys, gradient.csv with its columns, the choice of
// state, and bad input (exit 2 naming the flag). Reference: lambda_max tau_eff = 0.112458 at g_eff = 2
// (THEORY.md 8), so the growth rate of |a_h|^2/N is 2 x 0.112458 / tau_eff with tau_eff = 2.
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

using gdmft_test::run_gdmft;
using gdmft_test::scratch;
using gdmft_test::slurp;

TEST_CASE("gradient --json in the chaotic state: growth_rate = 2 lambda_max, the gradient sizes") {
    const auto dir = scratch() / "gradient_chaos";
    const auto r = run_gdmft("gradient --g-h 4 --json --no-plot --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["state"] == "chaotic");
    CHECK(j["growth_rate"].get<double>() == doctest::Approx(0.112458).epsilon(0.005));
    CHECK(j["grad_norm_Jh"].get<double>() > 0);
    CHECK(j["grad_norm_Jz"].get<double>() == 0.0);  // constant clock: Jz does not enter
    const std::string csv = slurp(dir / "gradient.csv");
    CHECK(csv.find("t_before_horizon,a_h2,a_z2,a_r2") != std::string::npos);
    CHECK(csv.find("\n0,1.000000000e+00,") != std::string::npos);  // |a_h|^2/N = 1 at the horizon
    CHECK(slurp(dir / "gradient_norms.csv").find("horizon,grad_norm_Jh,grad_norm_Jz,grad_norm_Jr") != std::string::npos);
}

TEST_CASE("gradient at a stable fixed point decays at twice the support edge") {
    const auto j = nlohmann::json::parse(run_gdmft("gradient --g-h 1.5 --json").out);  // g_eff 0.75: h = 0
    CHECK(j["state"] == "fixed_point");
    // THEORY.md 7: rate 2 kappa (g - 1), kappa = sigma_z(0)/tau_h = 1/2.
    CHECK(j["growth_rate"].get<double>() == doctest::Approx(-0.25).epsilon(0.01));
    CHECK(j["reference_growth"].get<double>() == doctest::Approx(-0.25).epsilon(1e-6));
}

TEST_CASE("gradient bad input: exit 2 naming the flag") {
    const auto h = run_gdmft("gradient --horizon 0 --json");
    CHECK(h.code == 2);
    CHECK(h.err.find("horizon") != std::string::npos);
    const auto d = run_gdmft("gradient --horizon 10 --dt 0.3 --json");
    CHECK(d.code == 2);
    CHECK(d.err.find("dt") != std::string::npos);
    const auto m = run_gdmft("gradient --horizon 100 --dt 0.01 --memory-limit 1000000 --json");
    CHECK(m.code == 2);
    CHECK(m.err.find("memory-limit") != std::string::npos);
    const auto s = run_gdmft("gradient --state sideways --json");
    CHECK(s.code == 2);
    CHECK(s.err.find("state") != std::string::npos);
    const auto c = run_gdmft("gradient --g-h 1.5 --state chaotic --json");
    CHECK(c.code == 3);
}

TEST_CASE("gradient map over (g_h, alpha_r): regimes by the growth rate over the horizon") {
    const auto dir = scratch() / "gradient_map";
    std::filesystem::remove_all(dir);
    const auto r = run_gdmft("gradient --x g_h:1.5:4:2 --y alpha_r:0:4:2 --horizon 60 --dt 0.2 --no-plot --json --out " +
                             dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["complete"] == true);
    // g_h 1.5: the zero fixed point is stable (g_eff 0.75 < 1): gradients vanish at 2 kappa (g_eff - 1) = -0.25
    // (THEORY.md 7), so growth x T = -15 < -1; g_h 4 is chaotic at both alpha_r: exploding.
    CHECK(j["counts"]["vanishing"] == 2);
    CHECK(j["counts"]["exploding"] == 2);
    const std::string csv = slurp(dir / "gradient_map.csv");
    CHECK(csv.find("x,y,regime,state,growth_rate") != std::string::npos);
    const auto again = run_gdmft("gradient --x g_h:1.5:4:2 --y alpha_r:0:4:2 --horizon 60 --dt 0.2 --json --out " +
                                 dir.string());
    CHECK(again.code == 2);  // a sweep is already there: --resume or another directory
    const auto z = run_gdmft("gradient --x g_h:1.5:4:2 --y alpha_z:0:4:2 --json --out " + (dir / "z").string());
    CHECK(z.code == 2);
    CHECK(z.err.find("alpha_z") != std::string::npos);
}
