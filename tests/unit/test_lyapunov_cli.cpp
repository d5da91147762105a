// The Lyapunov outputs as a user runs them: gdmft solve --lyapunov (lambda_method, lambda_max_err,
// --lyapunov-method and its bad input) and gdmft simulate --lyapunov-k (Kaplan-Yorke error bar and the
// flag for a dimension above K).
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

using gdmft_test::Run;

Run gdmft(const std::string& args) { return gdmft_test::run_gdmft(args); }

}  // namespace

TEST_CASE("solve --lyapunov: the method is named; a dynamic r gate gets the closed-form tangent") {
    // tau_r = 0: the Schrodinger route (zero mode -1); tau_r = 1: closure-tangent (no zero mode).
    const Run a = gdmft("solve --alpha-r 4 --tau-r 0 --lyapunov --json --quiet");
    REQUIRE(a.code == 0);
    const auto ja = nlohmann::json::parse(a.out);
    CHECK(ja["lambda_method"] == "schrodinger");
    CHECK(ja["lambda_max_err"].is_null());
    CHECK(ja["zero_mode_eigenvalue"].get<double>() == doctest::Approx(-1).epsilon(1e-6));
    // The other deterministic route on the same closure: the same number (unit test of the map).
    const Run b = gdmft("solve --alpha-r 4 --tau-r 0 --lyapunov --lyapunov-method closure-tangent --json --quiet");
    REQUIRE(b.code == 0);
    const auto jb = nlohmann::json::parse(b.out);
    CHECK(jb["lambda_method"] == "closure-tangent");
    CHECK(jb["zero_mode_eigenvalue"].is_null());
    CHECK(jb["lambda_max"].get<double>() == doctest::Approx(ja["lambda_max"].get<double>()).epsilon(1e-6));
    const Run c = gdmft("solve --alpha-r 4 --tau-r 1 --lyapunov --json --quiet");
    REQUIRE(c.code == 0);
    const auto jc = nlohmann::json::parse(c.out);
    CHECK(jc["lambda_method"] == "closure-tangent");
    CHECK(jc["lambda_max"].get<double>() > 0);
    // Without --lyapunov nothing is reported.
    const auto jd = nlohmann::json::parse(gdmft("solve --json --quiet").out);
    CHECK(jd["lambda_method"].is_null());
    CHECK(jd["lambda_max_err"].is_null());
}

TEST_CASE("solve --lyapunov at a stable fixed point with tau_r > 0: the support edge") {
    // g_h = 1.5 < 2: the zero fixed point is stable; lambda = (s0/tau_h)(-1 + g_h sigma_r(0)) = -0.125.
    const Run r = gdmft("solve --g-h 1.5 --alpha-r 2 --tau-r 1 --lyapunov --json --quiet");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["lambda_method"] == "fixed-point");
    CHECK(j["lambda_max"].get<double>() == doctest::Approx(-0.125).epsilon(1e-9));
}

TEST_CASE("solve --lyapunov-method: bad names and routes that do not apply exit 2 naming the flag") {
    const Run a = gdmft("solve --lyapunov --lyapunov-method magic --quiet");
    CHECK(a.code == 2);
    CHECK(a.err.find("--lyapunov-method") != std::string::npos);
    const Run b = gdmft("solve --alpha-r 2 --tau-r 1 --lyapunov --lyapunov-method schrodinger --quiet");
    CHECK(b.code == 2);
    CHECK(b.err.find("tau_r = 0") != std::string::npos);
    CHECK(gdmft("solve --alpha-z 1 --lyapunov --lyapunov-method closure-tangent --paths 8 --quiet").code == 2);
}

TEST_CASE("simulate --lyapunov-k: Kaplan-Yorke dimension with its error, and the flag for more than K") {
    // Strong chaos (g_h = 8, g_eff = 4) at N = 60 with K = 2: both exponents are positive, so the
    // dimension exceeds K; with K = 40 it is finite, with an error bar from the time blocks.
    const Run a = gdmft("simulate --g-h 8 --N 60 --t-max 60 --t-burn 20 --lyapunov-k 2 --json --quiet");
    REQUIRE(a.code == 0);
    const auto ja = nlohmann::json::parse(a.out);
    CHECK(ja["kaplan_yorke_exceeds_k"] == true);
    CHECK(ja["kaplan_yorke_dim"].is_null());
    const Run b = gdmft("simulate --g-h 8 --N 60 --t-max 60 --t-burn 20 --lyapunov-k 40 --json --quiet");
    REQUIRE(b.code == 0);
    const auto jb = nlohmann::json::parse(b.out);
    CHECK(jb["kaplan_yorke_exceeds_k"] == false);
    const double ky = jb["kaplan_yorke_dim"].get<double>();
    CHECK(ky > 2);
    CHECK(ky < 40);
    CHECK(jb["stderr_kaplan_yorke_dim"].get<double>() > 0);
    CHECK(jb["stderr_kaplan_yorke_dim"].get<double>() < ky);
    REQUIRE(jb["per_realization"].size() == 1);
    CHECK(jb["per_realization"][0]["kaplan_yorke_dim"].get<double>() == doctest::Approx(ky));
    // Two networks: the error is their spread.
    const Run c = gdmft("simulate --g-h 8 --N 60 --t-max 60 --t-burn 20 --lyapunov-k 40 --realizations 2 --json --quiet");
    REQUIRE(c.code == 0);
    const auto jc = nlohmann::json::parse(c.out);
    const double k0 = jc["per_realization"][0]["kaplan_yorke_dim"].get<double>();
    const double k1 = jc["per_realization"][1]["kaplan_yorke_dim"].get<double>();
    CHECK(jc["stderr_kaplan_yorke_dim"].get<double>() == doctest::Approx(std::abs(k0 - k1) / 2).epsilon(1e-9));
}
