// The ageing outputs from the command line: `simulate --waiting-times` and `transient --start network
// --waiting-times` write aging.csv (and aging_equal_time.csv) with the run in the header, the same
// columns for both, an `aging` block in the JSON; bad input exits 2 naming the flag.
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

namespace {

using gdmft_test::expect_bad_input;
using gdmft_test::Run;
using gdmft_test::scratch;
using gdmft_test::slurp;

const std::string kSim = "simulate --N 40 --dt 0.1 --quiet --waiting-times 1,3 --max-lag 4 --aging-lags 6";
const std::string kDmft =
    "transient --start network --no-reference --t-burn 1 --t-before 0 --horizon 9 --paths 64 --random-sets 2 --quiet "
    "--no-plot --waiting-times 1,3 --aging-lags 6";

}  // namespace

TEST_CASE("simulate --waiting-times: bad input exits 2 naming the flag") {
    const std::string s = "simulate --N 40 --dt 0.1 --quiet ";
    expect_bad_input(s + "--waiting-times 30,10", "--waiting-times");          // unsorted
    expect_bad_input(s + "--waiting-times 10,10", "--waiting-times");          // repeated
    expect_bad_input(s + "--waiting-times -5,10", "--waiting-times");          // negative
    expect_bad_input(s + "--waiting-times 1,abc", "--waiting-times");          // not a number (CLI11)
    expect_bad_input(s + "--waiting-times 1,3 --max-lag -1", "--max-lag");     // negative lag
    expect_bad_input(s + "--waiting-times 1,3 --max-lag 0", "--max-lag");
    expect_bad_input(s + "--waiting-times 0", "--max-lag");                    // default max(t_w) = 0
    expect_bad_input(s + "--waiting-times 1,3 --aging-lags 0", "--aging-lags");
    expect_bad_input(s + "--waiting-times 1,3 --aging-min-lag 0", "--aging-min-lag");
    expect_bad_input(s + "--waiting-times 1,3 --aging-min-lag 9", "--aging-min-lag");  // beyond max_lag = 3
    expect_bad_input(s + "--waiting-times 1,3 --realizations 0", "--realizations");
    expect_bad_input("simulate --N 1 --waiting-times 1,3", "--N");
    expect_bad_input(s + "--waiting-times 1,3 --t-max 100", "--t-max");        // stationary-only flags
    expect_bad_input(s + "--waiting-times 1,3 --lyapunov", "--lyapunov");
    expect_bad_input(s + "--aging-lags 5", "--aging-lags");                     // without --waiting-times
}

TEST_CASE("transient --waiting-times: bad input exits 2 naming the flag") {
    const std::string t = "transient --start network --no-reference --t-burn 1 --t-before 0 --horizon 9 --quiet ";
    expect_bad_input("transient --t-burn 1 --quiet --waiting-times 1,3", "--waiting-times");  // stationary start
    expect_bad_input(t + "--waiting-times 3,1", "--waiting-times");
    expect_bad_input(t + "--waiting-times 1,10", "--waiting-times");             // at the end of the grid (t = 10)
    expect_bad_input(t + "--waiting-times 1,3 --max-lag 8", "--max-lag");        // 3 + 8 > 10
    expect_bad_input(t + "--waiting-times 1,3 --max-lag -2", "--max-lag");
    expect_bad_input(t + "--max-lag 5", "--max-lag");                            // without --waiting-times
    expect_bad_input(t + "--waiting-times 1,3 --aging-lags 0", "--aging-lags");
}

TEST_CASE("simulate --waiting-times writes aging.csv and the JSON aging block") {
    const fs::path dir = scratch() / "aging_sim";
    const Run r = gdmft_test::run_gdmft(kSim + " --g-h 2 --realizations 2 --seed 4 --json --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.at("mode") == "aging");
    CHECK(j.at("C_h0").is_null());
    CHECK(j.at("realizations") == 2);
    CHECK(j.at("settings").at("waiting_times").size() == 2u);
    const auto& a = j.at("aging");
    CHECK(a.at("N") == 40);
    CHECK(a.at("networks") == 2);
    CHECK(a.at("stderr_over") == "networks");
    REQUIRE(a.at("curves").size() == 2u);
    CHECK(a.at("curves")[1].at("t_w") == 3.0);
    CHECK(a.at("curves")[0].at("C_h_norm")[0] == doctest::Approx(1.0));
    CHECK(a.at("lags")[0] == 0.0);
    CHECK(a.at("max_shift_z").is_number());

    const std::string csv = slurp(dir / "aging.csv");
    CHECK(csv.find("# params: {") != std::string::npos);
    CHECK(csv.find("\"g_h\":2.0") != std::string::npos);
    CHECK(csv.find("# seed: 4") != std::string::npos);
    CHECK(csv.find("# version: ") != std::string::npos);
    CHECK(csv.find("# command_line: \"gdmft simulate") != std::string::npos);
    CHECK(csv.find("\"waiting_times\":[1.0,3.0]") != std::string::npos);
    CHECK(csv.find("\nt_w,tau,C_h,C_h_err,C_h_norm,C_h_norm_err,networks,N\n") != std::string::npos);
    const std::string body = csv.substr(csv.find("t_w,tau"));
    const std::size_t lags = a.at("lags").size();
    CHECK(std::count(body.begin(), body.end(), '\n') == static_cast<long>(1 + 2 * lags));
    CHECK(body.find(",2,40\n") != std::string::npos);
    const std::string eq = slurp(dir / "aging_equal_time.csv");
    CHECK(eq.find("\nt,C_h_tt,C_h_tt_err,networks,N\n") != std::string::npos);
    CHECK(eq.find("# seed: 4") != std::string::npos);
}

TEST_CASE("transient --start network --waiting-times writes the DMFT's aging.csv (N = inf)") {
    const fs::path dir = scratch() / "aging_dmft";
    const Run r = gdmft_test::run_gdmft(kDmft + " --g-h 2 --seed 3 --json --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    const auto& a = j.at("aging");
    CHECK(a.at("N").is_null());
    CHECK(a.at("networks") == 2);
    CHECK(a.at("stderr_over") == "random sets");
    REQUIRE(a.at("curves").size() == 2u);
    CHECK(a.at("lags").back() == doctest::Approx(7.0));  // to the end of the grid at t = 10
    const std::string csv = slurp(dir / "aging.csv");
    CHECK(csv.find("# command_line: \"gdmft transient") != std::string::npos);
    CHECK(csv.find("\nt_w,tau,C_h,C_h_err,C_h_norm,C_h_norm_err,networks,N\n") != std::string::npos);
    CHECK(csv.find(",2,inf\n") != std::string::npos);
    CHECK(fs::exists(dir / "aging_equal_time.csv"));
    CHECK(fs::exists(dir / "transient.csv"));

    // Without waiting times the block is null and no aging.csv is written.
    const fs::path dir2 = scratch() / "no_aging";
    const Run q = gdmft_test::run_gdmft(
        "transient --start network --no-reference --t-burn 1 --t-before 0 --horizon 4 --paths 32 --random-sets 2 --quiet "
        "--no-plot --json --out " + dir2.string());
    REQUIRE(q.code == 0);
    CHECK(nlohmann::json::parse(q.out).at("aging").is_null());
    CHECK(!fs::exists(dir2 / "aging.csv"));
}

TEST_CASE("the ageing numbers do not depend on the thread count") {
    for (const std::string& args : {kSim + " --g-h 2 --realizations 2 --json", kDmft + " --g-h 2 --json"}) {
        CAPTURE(args);
        const Run one = gdmft_test::run_gdmft(args, "OMP_NUM_THREADS=1");
        const Run two = gdmft_test::run_gdmft(args, "OMP_NUM_THREADS=2");
        REQUIRE(one.code == 0);
        REQUIRE(two.code == 0);
        auto a = nlohmann::json::parse(one.out).at("aging"), b = nlohmann::json::parse(two.out).at("aging");
        a.erase("seconds");
        b.erase("seconds");
        CHECK(a == b);
    }
}
