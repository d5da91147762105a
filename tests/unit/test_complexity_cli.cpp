// gdmft complexity as a user runs it: the INTERFACE.md keys at one point, a scan with the onset and
// complexity.csv, and bad input (exit 2 naming the flag). Reference: the onset is g_h sigma_r(0) = 1 exactly
// (docs/complexity.md), i.e. g_h = 1 + e^{beta_r}.
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>

using gdmft_test::run_gdmft;
using gdmft_test::scratch;
using gdmft_test::slurp;

TEST_CASE("complexity --json: Sigma, second_moment, unstable_fraction") {
    const auto r = run_gdmft("complexity --g-h 4 --json")  /* g_eff = 2 */;
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["Sigma"].get<double>() > 0.02);
    CHECK(j["second_moment"].get<double>() > 0);
    CHECK(j["unstable_fraction"].is_number());
    const auto z = nlohmann::json::parse(run_gdmft("complexity --g-h 1.6 --json").out);
    CHECK(z["Sigma"].get<double>() == 0.0);
    CHECK(z["message"].get<std::string>().find("trivial") != std::string::npos);
}

TEST_CASE("complexity --scan: rows, the onset, complexity.csv") {
    const auto dir = scratch() / "complexity_scan";
    const auto r = run_gdmft("complexity --scan g_h:0.5:3 --points 6 --beta-r 0.5 --json --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["scan"].size() == 6);
    CHECK(j["onset"].get<double>() == doctest::Approx(1 + std::exp(0.5)).epsilon(1e-8));
    const std::string csv = slurp(dir / "complexity.csv");
    CHECK(csv.find("g_h,g_eff,Sigma,second_moment,unstable_fraction") != std::string::npos);
    const auto none = nlohmann::json::parse(run_gdmft("complexity --scan g_h:0.5:0.9 --points 2 --json").out);
    CHECK(none["onset"].is_null());
}

TEST_CASE("complexity --alpha-r 10: the gated complexity, and a gated scan with its first-order onset") {
    const auto r = run_gdmft("complexity --alpha-r 10 --g-h 3 --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["Sigma"].get<double>() > 0.1);
    CHECK(j["second_moment"].get<double>() > 0);
    CHECK(j["unstable_fraction"].get<double>() > 0);
    CHECK(j["q_v"].is_number());
    const auto s = nlohmann::json::parse(run_gdmft("complexity --alpha-r 10 --scan g_h:1.5:2 --points 3 --json").out);
    CHECK(s["scan"].size() == 3);
    CHECK(s["onset"].get<double>() > 1.5);
    CHECK(s["onset"].get<double>() < 1.7);
    CHECK(s["onset_q"].get<double>() > 0.05);
}

TEST_CASE("complexity bad input: exit 2 naming the flag") {
    const auto a = run_gdmft("complexity --input-std 0.3 --json");
    CHECK(a.code == 2);
    CHECK(a.err.find("input_std") != std::string::npos);
    const auto s = run_gdmft("complexity --scan g_h:3:1 --json");
    CHECK(s.code == 2);
    CHECK(s.err.find("scan") != std::string::npos);
    const auto p = run_gdmft("complexity --scan g_h:1:3 --points 1 --json");
    CHECK(p.code == 2);
    CHECK(p.err.find("points") != std::string::npos);
}
