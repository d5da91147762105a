// gdmft validate as a user runs it: bad input exits 2 naming the flag; a small custom run writes the
// table (JSON rows, validation.csv, validation.md) with the DMFT of `solve` and the simulated mean of
// `simulate` on the same seed, and the relative difference computed from them.
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using gdmft_test::Run;
using gdmft_test::run_gdmft;
using gdmft_test::scratch;
using gdmft_test::slurp;

TEST_CASE("validate: bad input exits 2 and names the flag") {
    const struct {
        const char* args;
        const char* flag;
    } cases[] = {{"validate --dmft-window -1", "dmft-window"},
                 {"validate --dmft-dt -1", "dmft-dt"},
                 {"validate --points nosuch", "points"},
                 {"validate --realizations 1", "realizations"},
                 {"validate --sizes 1", "sizes"}};
    for (const auto& c : cases) {
        const Run r = run_gdmft(std::string(c.args) + " --quiet --no-plots --out " + (scratch() / "bad").string());
        CHECK_MESSAGE(r.code == 2, c.args);
        CHECK_MESSAGE(r.err.find(c.flag) != std::string::npos, c.args << ": " << r.err);
    }
}

TEST_CASE("validate --custom: rows, files and the per-size comparison") {
    const fs::path dir = scratch() / "validate";
    const std::string model = "--g-h 4 --alpha-r 2 --tau-r 0";
    const Run r = run_gdmft("validate --custom " + model +
                            " --sizes 100,200 --realizations 2 --t-max 60 --t-burn 20 --corr-times 1 --no-plots --quiet --json "
                            "--out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["rows"].size() == 8u);  // 4 quantities x 2 sizes
    const Run s = run_gdmft("solve " + model + " --json --quiet");
    REQUIRE(s.code == 0);
    const double dmft = nlohmann::json::parse(s.out)["C_h0"].get<double>();
    int seen = 0;
    for (const auto& row : j["rows"]) {
        CHECK(row["point"] == "custom");
        if (row["quantity"] != "C_h0") continue;
        ++seen;
        CHECK(row["dmft"].get<double>() == doctest::Approx(dmft).epsilon(1e-12));
        const double sim = row["sim_mean"].get<double>();
        CHECK(row["rel_diff"].get<double>() == doctest::Approx((sim - dmft) / dmft).epsilon(1e-9));
        CHECK(row["sim_stderr"].get<double>() > 0);
        // Two small networks over 40 time units scatter widely (measured -19% +- 16% at N = 100, +11% +- 8% at
        // N = 200): the mean lies within 3 of its standard errors plus a 5% finite-size allowance.
        CHECK(std::abs(sim - dmft) < 3 * row["sim_stderr"].get<double>() + 0.05 * dmft);
    }
    CHECK(seen == 2);
    CHECK(fs::exists(dir / "validation.csv"));
    const std::string md = slurp(dir / "validation.md");
    CHECK(md.find("| C_h0 |") != std::string::npos);
    CHECK(md.find("lag window") != std::string::npos);  // the DMFT grid used is recorded
}

TEST_CASE("validate --gradient: rows gradient_growth and grad_norm_Jh per size, DMFT from the adjoint closure") {
    const fs::path dir = scratch() / "validate_gradient";
    const Run r = run_gdmft("validate --custom --g-h 4 --alpha-r 2 --tau-r 0 --sizes 100 --realizations 2 --t-max 60 "
                            "--t-burn 20 --corr-times 1 --gradient --gradient-horizon 6 --no-plots --quiet --json --out " +
                            dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["rows"].size() == 6u);  // 4 stationary quantities + 2 gradient quantities, one size
    int seen = 0;
    for (const auto& row : j["rows"]) {
        if (row["quantity"] != "gradient_growth" && row["quantity"] != "grad_norm_Jh") continue;
        ++seen;
        CHECK(row["dmft"].get<double>() > 0);  // chaotic: growing gradients (THEORY.md 7: 2 lambda_max > 0)
        // Two N = 100 networks over 6 tau_h scatter too much for a sign test of the growth (the statistical
        // comparison is tests/science/test_gradient_finite_n.cpp); the rows must hold finite numbers.
        CHECK(std::isfinite(row["sim_mean"].get<double>()));
        if (row["quantity"] == "grad_norm_Jh") CHECK(row["sim_mean"].get<double>() > 0);
    }
    CHECK(seen == 2);
    CHECK(slurp(dir / "validation.md").find("| gradient_growth |") != std::string::npos);
    const Run bad = run_gdmft("validate --custom --gradient --gradient-horizon 0 --quiet --no-plots --out " +
                              (dir / "bad").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("gradient-horizon") != std::string::npos);
}
