// dmft/transitions: the zero instability, the fixed-point fold and the chaos onset against exact limits
// (SCS, erf closed forms) and an independent root count; gdmft transitions/boundary bad input.
#include "dmft/boundary.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/solve.hpp"
#include "dmft/transitions.hpp"
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

using namespace gdmft;

TEST_CASE("SCS limit (alpha_r = 0): g_fp = g_chaos = g_zero_unstable = 1 + e^beta_r, continuous") {
    ModelParams m;
    m.alpha_r = 0;
    m.beta_r = 0.5;
    m.tau_r = 1;  // a constant gate: tau_r plays no role
    const ParamRange p{"g_h", 1, 4};
    const double exact = 1 + std::exp(0.5);  // THEORY.md 6: g_h sigma_r(0) = 1
    const ZeroInstability z = zero_instability(m, p);
    REQUIRE(z.found);
    CHECK(z.value == doctest::Approx(exact).epsilon(1e-14));
    const FixedPointFold f = fixed_point_fold(m, p);
    REQUIRE(f.found);
    CHECK(f.continuous);
    CHECK(f.D_fold == 0);
    CHECK(f.value == doctest::Approx(exact).epsilon(1e-12));
    const ChaosOnset c = chaos_onset(m, p);
    REQUIRE(c.found);
    CHECK(c.end == "continuous");
    CHECK_FALSE(c.discontinuous);
    CHECK(c.value == doctest::Approx(exact).epsilon(1e-12));
    // The chaotic branch itself reaches the same point as c0 -> 0 (linearly: p(c0) - p(0) = O(c0)).
    CHECK(chaos_branch(m, p, 1e-6).p == doctest::Approx(exact).epsilon(1e-5));
    CHECK(fixed_point_branch(m, p, 1e-6) == doctest::Approx(exact).epsilon(1e-5));
}

TEST_CASE("beta_r scan: the zero instability at log(g_h - 1); parameters that do not enter G0 give none") {
    ModelParams m;
    m.g_h = 3;
    m.alpha_r = 0;
    const ZeroInstability z = zero_instability(m, ParamRange{"beta_r", -2, 2});
    REQUIRE(z.found);
    CHECK(z.value == doctest::Approx(std::log(2.0)).epsilon(1e-14));
    const ZeroInstability none = zero_instability(m, ParamRange{"alpha_r", 0, 10});
    CHECK_FALSE(none.found);
    CHECK(none.G_constant == doctest::Approx(2.25));  // (3 / 2)^2
}

TEST_CASE("erf phi: the fixed-point branch g_h(D) = sqrt(D / (sigma0^2 <phi^2>)) in closed form") {
    ModelParams m;
    m.phi = PhiKind::Erf;
    m.alpha_r = 0;
    m.beta_r = 0;
    const ParamRange p{"g_h", 0.5, 5};
    for (double D : {0.01, 0.7, 3.0}) {
        // <phi^2> = (2/pi) asin((pi/2) D / (1 + (pi/2) D)) (THEORY.md 1), sigma_r(0)^2 = 1/4.
        const double phi2 = 2 / std::numbers::pi * std::asin(std::numbers::pi / 2 * D / (1 + std::numbers::pi / 2 * D));
        CHECK(fixed_point_branch(m, p, D) == doctest::Approx(std::sqrt(D / (0.25 * phi2))).epsilon(1e-11));
    }
    // Any other bracket-solved parameter gives the same branch: solve for beta_r at g_h = 3 and back.
    m.g_h = 3;
    const double b = fixed_point_branch(m, ParamRange{"beta_r", -3, 3}, 0.7);
    ModelParams back = m;
    back.beta_r = b;
    CHECK(fixed_point_map(back, 0.7) == doctest::Approx(0.7).epsilon(1e-11));
}

TEST_CASE("alpha_r = 10, tau_r = 0: discontinuous, g_fp < g_chaos < 2, fold residual < 1e-8") {
    ModelParams m;
    m.alpha_r = 10;
    m.tau_r = 0;
    const ParamRange p{"g_h", 1, 3};
    const FixedPointFold f = fixed_point_fold(m, p);
    REQUIRE(f.found);
    CHECK_FALSE(f.continuous);
    CHECK(f.D_fold > 0.01);
    CHECK(f.residual < 1e-8);
    CHECK(f.map_residual < 1e-12);
    const ChaosOnset c = chaos_onset(m, p);
    REQUIRE(c.found);
    CHECK(c.end == "fold");
    CHECK(c.discontinuous);
    CHECK(f.value < c.value);
    CHECK(c.value < 2.0);
    CHECK(c.slope < 1e-6);
    // Jumps: the zero fixed point coexists (Delta_h = 0, lambda = sigma_z(0) (-1 + sqrt G0), sigma_z(0) = 1/2,
    // sqrt G0 = g_h / 2), chaos has lambda > 0.
    CHECK(c.fixed_point_Delta_h == 0);
    CHECK(c.jump_C_h0 == doctest::Approx(c.c0));
    CHECK(c.lambda_chaos > 0);
    CHECK(c.lambda_fixed_point == doctest::Approx(0.5 * (-1 + c.value / 2)).epsilon(1e-12));

    // Independent check of the fold by counting roots of U(D) = D (dmft/fixed_points): one (zero)
    // just below g_fp, three just above.
    ModelParams below = m, above = m;
    below.g_h = f.value - 1e-5;
    above.g_h = f.value + 1e-5;
    CHECK(fixed_points(below, 4000).size() == 1);
    CHECK(fixed_points(above, 4000).size() == 3);
}

TEST_CASE("with a quenched input at alpha_r = 10 the onset is continuous, at G = 1 of the input-driven fixed point") {
    // Input-induced chaos (THEORY.md 6): input_std = 0.2 opens the output gates, and the chaotic branch
    // grows out of the (nonzero) fixed point where it loses stability. The plateau q of the chaotic
    // solution equals that fixed point's Delta_h at the onset, and the energy condition on the
    // parameter's either side is the independent check: no chaotic solution 0.005 below, one above.
    ModelParams m;
    m.alpha_r = 10;
    m.tau_r = 0;
    m.input_std = 0.2;
    const ParamRange p{"g_h", 1, 2.5};
    const ZeroInstability z = zero_instability(m, p);
    REQUIRE(z.found);
    const ChaosOnset c = chaos_onset(m, p);
    REQUIRE(c.found);
    CHECK(c.end == "continuous");
    CHECK_FALSE(c.discontinuous);
    CHECK(c.value == doctest::Approx(z.value).epsilon(1e-12));
    CHECK(c.value < 1.5);  // well below the onset without input, g_chaos = 1.8593
    StationaryOptions o;
    for (double dg : {-0.005, 0.005}) {
        ModelParams at = m;
        at.g_h = c.value + dg;
        const StationaryResult r = solve_stationary(at, o);
        CHECK((r.termination == Termination::Converged) == (dg > 0));
    }
}

TEST_CASE("the fixed-point transition turns first order in beta_r where the small-D expansion says") {
    // Closed form (tanh, mu = s = 0, tau_r = 0): for small D, <phi^2> = D - 2 D^2 + O(D^3) and
    // <sigma_r^2>_{Delta_r} = s0^2 + Delta_r (sigma'^2 + sigma sigma'')(0) + ..., Delta_r = g_r^2 D, so
    // U(D) = g_h^2 [s0^2 D + (g_r^2 (sigma'^2 + sigma sigma'') - 2 s0^2) D^2 + ...]. The transition is first
    // order where the D^2 coefficient turns positive. With sigma' = alpha s0 (1 - s0) and
    // sigma'' = alpha^2 s0 (1 - s0)(1 - 2 s0): alpha^2 g_r^2 (1 - s0)(2 - 3 s0) = 2 (at beta_r = 0: alpha g_r
    // = 2 sqrt 2). At alpha_r = 10, g_r = 1: 3 s0^2 - 5 s0 + 1.98 = 0, s0 = 1/(1 + e^beta_r).
    const double s0 = (5 - std::sqrt(25 - 12 * 1.98)) / 6;
    const double beta_star = std::log(1 / s0 - 1);  // -0.60913
    ModelParams m;
    m.alpha_r = 10;
    m.tau_r = 0;
    ParameterAxis x;
    x.name = "beta_r";
    x.min = -1;
    x.max = 0;
    x.points = 5;
    BoundaryOptions o;
    o.chaos = false;
    const BoundaryResult r = trace_boundary(m, x, "g_h", o);
    REQUIRE(r.first_order_fixed_point.found);
    CHECK(r.first_order_fixed_point.x == doctest::Approx(beta_star).epsilon(1e-5));
}

TEST_CASE("unsupported chaos onset is reported, not faked") {
    ModelParams m;
    m.alpha_r = 5;
    m.tau_r = 1;
    const ChaosOnset c = chaos_onset(m, ParamRange{"g_h", 1, 3});
    CHECK_FALSE(c.supported);
    CHECK_FALSE(c.found);
    CHECK(c.message.find("not supported") != std::string::npos);
}

TEST_CASE("gdmft transitions --json: INTERFACE.md keys; bad input exits 2 naming the flag") {
    using gdmft_test::run_gdmft;
    const auto r = run_gdmft("transitions --scan g_h:1:3 --points 5 --alpha-r 10 --tau-r 0 --json --quiet");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    for (const char* k : {"g_zero_unstable", "g_fp", "g_chaos", "discontinuous", "scan", "jump_C_h0", "jump_lambda_max",
                          "D_fold", "fold_residual", "version", "command_line", "params"})
        CHECK_MESSAGE(j.contains(k), k);
    CHECK(j["discontinuous"] == true);
    CHECK(j["scan"].size() == 5);
    CHECK(j["scan"][0].contains("C_h0"));
    CHECK(j["scan"][0].contains("lambda_max"));
    CHECK(j["scan"][0].contains("G"));
    // A threshold outside the range is null.
    const auto out = run_gdmft("transitions --scan g_h:0.5:1.5 --points 3 --alpha-r 10 --tau-r 0 --json --quiet");
    REQUIRE(out.code == 0);
    const auto jo = nlohmann::json::parse(out.out);
    CHECK(jo["g_fp"].is_null());
    CHECK(jo["g_chaos"].is_null());
    CHECK(jo["g_zero_unstable"].is_null());

    auto bad = [&](const std::string& args, const std::string& flag) {
        const auto b = run_gdmft(args);
        CHECK_MESSAGE(b.code == 2, args);
        CHECK_MESSAGE(b.err.find(flag) != std::string::npos, b.err);
        CHECK(std::count(b.err.begin(), b.err.end(), '\n') == 1);
    };
    bad("transitions --scan g_x:1:3 --json", "--scan");
    bad("transitions --scan g_h:3:1 --json", "--scan");
    bad("transitions --scan g_h:1:3 --points 1 --json", "--points");
    bad("boundary --x alpha_r:1:5 --y alpha_r --out /tmp/gdmft_b", "--y");
    bad("boundary --x alpha_r:5:1 --y g_h --out /tmp/gdmft_b", "--x");
    bad("boundary --x nope:1:5 --y g_h --out /tmp/gdmft_b", "--x");
    bad("boundary --x alpha_r:1:5 --y nope --out /tmp/gdmft_b", "--y");
    bad("boundary --x alpha_r:1:5 --y g_h --points 1 --out /tmp/gdmft_b", "--points");
}

TEST_CASE("gdmft boundary writes boundary.csv with x,y,line and the header names") {
    using gdmft_test::run_gdmft;
    const auto dir = gdmft_test::scratch() / "boundary";
    const auto r = run_gdmft("boundary --x alpha_r:2:4 --points 3 --y g_h --tau-r 0 --json --quiet --out " + dir.string());
    REQUIRE(r.code == 0);
    const std::string csv = gdmft_test::slurp(dir / "boundary.csv");
    CHECK(csv.rfind("# ", 0) == 0);
    CHECK(csv.find("# x_name: \"alpha_r\"") != std::string::npos);
    CHECK(csv.find("# y_name: \"g_h\"") != std::string::npos);
    CHECK(csv.find("\nx,y,line\n") != std::string::npos);
    CHECK(csv.find(",fixed_point_fold\n") != std::string::npos);
    CHECK(csv.find(",chaos_onset\n") != std::string::npos);
    CHECK(csv.find(",zero_unstable\n") != std::string::npos);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["first_order_fixed_point_at"].is_number());
    CHECK(j["discontinuous_chaos_at"].is_number());
}
