// gdmft fixedpoint --count as a user runs it: the INTERFACE.md keys, the g_eff < 1 count (exactly one fixed
// point, 0: THEORY.md 4), and bad input (exit 2 naming the flag).
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using gdmft_test::run_gdmft;

TEST_CASE("fixedpoint --count --json: keys, and one fixed point below g_eff = 1") {
    const auto r = run_gdmft("fixedpoint --count --N 8 --networks 3 --g-h 1.6 --starts 100 --trajectory-starts 10 --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    for (const char* k : {"mean_count", "stderr_count", "mean_log_count", "saturated", "mean_norm2", "unstable_fraction"})
        CHECK(j.contains(k));
    CHECK(j["mean_count"].get<double>() == 1.0);
    CHECK(j["stderr_count"].get<double>() == 0.0);
    CHECK(j["saturated"].get<bool>());
    CHECK(j["count_is"].get<std::string>() == "exact_for_the_search");
    CHECK(j["mean_norm2"].get<double>() < 1e-20);
    CHECK(j["networks"].size() == 3);
}

TEST_CASE("fixedpoint --count: a search too short to saturate is reported as a lower bound") {
    // Two starts at g_eff = 3, N = 20 (about 9 roots per network): the second start finds a new root in
    // at least one of 12 networks unless all 12 land on roots the first start found, which a change of
    // CPU (other rounding in Newton's path) does not make likely (at seed 1 network 4 already does).
    const auto r = run_gdmft("fixedpoint --count --N 20 --networks 12 --g-h 6 --starts 2 --trajectory-starts 0 --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(!j["saturated"].get<bool>());
    CHECK(j["count_is"].get<std::string>() == "lower_bound");
}

TEST_CASE("fixedpoint --count bad input: exit 2 naming the flag") {
    const auto n = run_gdmft("fixedpoint --count --N 1 --json");
    CHECK(n.code == 2);
    CHECK(n.err.find("N") != std::string::npos);
    const auto k = run_gdmft("fixedpoint --count --N 5 --networks 0 --json");
    CHECK(k.code == 2);
    CHECK(k.err.find("networks") != std::string::npos);
}
