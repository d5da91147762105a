// gdmft simulate as a user runs it: bad input exits 2 naming the flag, a blow-up exits 4, --out writes
// CSVs whose header records the run, --json carries the keys of INTERFACE.md, and the thread count does
// not change the numbers.
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

using gdmft_test::Run;
using gdmft_test::scratch;
using gdmft_test::slurp;

Run simulate(const std::string& args, const std::string& env = "") { return gdmft_test::run_gdmft("simulate " + args, env); }

// A small, fast run (N = 60, 300 time steps).
const std::string kSmall = "--N 60 --t-max 30 --t-burn 10 --dt 0.1 --quiet";

void expect_bad(const std::string& args, const std::string& flag) { gdmft_test::expect_bad_input("simulate " + args, flag); }

}  // namespace

TEST_CASE("bad input exits 2 with one line naming the flag and the rule") {
    expect_bad(kSmall + " --t-burn 30", "--t-burn");                 // t_burn >= t_max
    expect_bad(kSmall + " --t-burn 45", "--t-burn");
    expect_bad("--N 1 --t-max 30 --t-burn 10", "--N");               // N < 2
    expect_bad(kSmall + " --tau-h 0", "--tau-h");                    // tau_h = 0
    expect_bad(kSmall + " --tau-z -1", "--tau-z");                   // negative tau
    expect_bad(kSmall + " --g-h -1", "--g-h");                       // negative g
    expect_bad(kSmall + " --g-z nan", "--g-z");                      // non-finite model number
    expect_bad(kSmall + " --t-max inf", "--t-max");                  // non-finite run number
    expect_bad(kSmall + " --dt 0", "--dt");                          // dt <= 0
    expect_bad(kSmall + " --dt -0.1", "--dt");
    expect_bad(kSmall + " --sample-dt 0", "--sample-dt");
    expect_bad(kSmall + " --max-lag -1", "--max-lag");
    expect_bad(kSmall + " --realizations 0", "--realizations");      // K <= 0
    expect_bad(kSmall + " --trajectories 0", "--trajectories");
    expect_bad(kSmall + " --lyapunov-k 0", "--lyapunov-k");
    expect_bad(kSmall + " --lyapunov-k 61", "--lyapunov-k");         // more than the state dimension
    expect_bad(kSmall + " --integrator euler", "--integrator");
    expect_bad(kSmall + " --phi relu", "--phi");
    expect_bad(kSmall + " --t-max 10.05 --t-burn 10", "--t-max");     // fewer than two samples
    expect_bad(kSmall + " --N abc", "--N");                          // not a number (CLI11)

    const fs::path cfg = scratch() / "bad.toml";
    std::ofstream(cfg) << "g_h = 2.0\nbogus_key = 1\n";
    expect_bad(kSmall + " --config " + cfg.string(), "bogus_key");   // unknown config key
}

TEST_CASE("a run that blows up exits 4 and says so") {
    // RK4 with dt sigma_z/tau_h = 5 is outside its stability region: the leak term explodes.
    const Run r = simulate("--N 50 --t-max 2000 --t-burn 1000 --dt 10 --quiet");
    CHECK(r.code == 4);
    CHECK(r.err.find("numerical failure") != std::string::npos);
    CHECK(r.err.find("blew up") != std::string::npos);
}

TEST_CASE("--out writes correlations.csv and sigma_z_hist.csv with the run in the header") {
    const fs::path dir = scratch() / "out";
    const Run r = simulate(kSmall + " --g-h 2.5 --alpha-z 1.5 --tau-z 0 --seed 7 --max-lag 5 --out " + dir.string());
    REQUIRE(r.code == 0);
    const std::string csv = slurp(dir / "correlations.csv");
    CHECK(csv.find("# params: {") != std::string::npos);
    CHECK(csv.find("\"g_h\":2.5") != std::string::npos);
    CHECK(csv.find("\"alpha_z\":1.5") != std::string::npos);
    CHECK(csv.find("\"tau_z\":0.0") != std::string::npos);
    CHECK(csv.find("# seed: 7") != std::string::npos);
    CHECK(csv.find("# version: ") != std::string::npos);
    CHECK(csv.find("# command_line: \"gdmft simulate") != std::string::npos);
    CHECK(csv.find("\ntau,C_h,C_phi,C_r,C_z\n") != std::string::npos);
    // Lags 0..5 in steps of 0.1: 51 rows after the column names.
    const std::string body = csv.substr(csv.find("tau,C_h"));
    CHECK(std::count(body.begin(), body.end(), '\n') == 52);
    CHECK(body.find("\n0,") != std::string::npos);
    const std::string hist = slurp(dir / "sigma_z_hist.csv");
    CHECK(hist.find("\nsigma_z,density\n") != std::string::npos);
    CHECK(hist.find("# params: {") != std::string::npos);
    // Written atomically: no temporary files left behind.
    for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().rfind(".", 0) != 0);
}

TEST_CASE("--json carries the INTERFACE.md keys; lambda_max is null without --lyapunov") {
    const Run r = simulate(kSmall + " --g-h 3 --realizations 2 --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"C_h0", "C_phi0", "tau_corr", "mean_sigma_z", "stderr_C_h0", "participation_ratio"}) {
        CAPTURE(key);
        CHECK(j.at(key).is_number());
    }
    CHECK(j.at("lambda_max").is_null());
    CHECK(j.at("C_z0").is_null());  // z not simulated: alpha_z = 0
    CHECK(j.at("params").at("g_h") == 3.0);
    CHECK(j.at("seed") == 1);
    CHECK(j.at("version").is_string());
    CHECK(j.at("command_line").get<std::string>().find("--realizations 2") != std::string::npos);
    CHECK(j.at("realizations") == 2);
    CHECK(j.at("per_realization").size() == 2u);
    CHECK(j.at("per_realization")[0].at("seed") != j.at("per_realization")[1].at("seed"));
    CHECK(j.at("stderr_C_h0").get<double>() > 0.0);
    CHECK(j.at("mean_sigma_z").get<double>() == doctest::Approx(0.5));  // sigma_z(0) at beta_z = 0
    // The tail form of the network-averaged C_h: with 2 networks no per-lag error (fit residuals).
    const auto& tail = j.at("tail");
    for (const char* key : {"form", "decayed", "tau_corr_lower_bound", "exp_time", "power_exponent", "chi2_exp",
                            "drift_sigmas", "level_at_end", "errors_from", "evidence"})
        CHECK_MESSAGE(tail.contains(key), key);
    CHECK(tail.at("form").is_string());
    CHECK_FALSE(tail.at("evidence").get<std::string>().empty());
    CHECK(tail.at("errors_from") != "per-lag errors");
}

TEST_CASE("--lyapunov-k gives a spectrum, error bars and the Kaplan-Yorke dimension") {
    const Run r = simulate(kSmall + " --g-h 4 --lyapunov-k 3 --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.at("lyapunov_spectrum").size() == 3u);
    CHECK(j.at("lyapunov_stderr").size() == 3u);
    CHECK(j.at("lambda_max") == j.at("lyapunov_spectrum")[0]);
    CHECK(j.at("lyapunov_spectrum")[0].get<double>() >= j.at("lyapunov_spectrum")[2].get<double>());
    CHECK(j.contains("kaplan_yorke_dim"));
    const Run b = simulate(kSmall + " --g-h 4 --lyapunov --json");
    REQUIRE(b.code == 0);
    CHECK(nlohmann::json::parse(b.out).at("lambda_max").is_number());
}

TEST_CASE("every option combination runs: gates, dopri5, trajectories, float32, erf, config file") {
    const fs::path cfg = scratch() / "good.toml";
    std::ofstream(cfg) << "g_h = 2.0\nalpha_r = 2.0\ntau_r = 0.0\nN = 40\n";
    const Run r = simulate("--config " + cfg.string() + " --g-h 3.5 --t-max 30 --t-burn 10 --alpha-z 2 --input-std 0.5 "
                           "--integrator dopri5 --trajectories 2 --float32 --phi erf --track-gates --lyapunov --json --quiet");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.at("params").at("g_h") == 3.5);  // the flag overrides the file
    CHECK(j.at("params").at("alpha_r") == 2.0);
    CHECK(j.at("settings").at("N") == 40);
    CHECK(j.at("settings").at("integrator") == "dopri5");
    CHECK(j.at("C_z0").is_number());
    CHECK(j.at("C_r0").is_number());
    CHECK(j.at("lambda_max").is_number());
    CHECK(j.at("state_dim") == 80);  // h and z (tau_z = 1); r is instantaneous (tau_r = 0)
}

TEST_CASE("same seed gives the same numbers with 1 or 2 threads") {
    // N = 300 so that the matrix products do run in parallel.
    const std::string args = "--N 300 --t-max 20 --t-burn 5 --dt 0.1 --g-h 3 --alpha-r 2 --tau-r 0 --lyapunov --json --quiet";
    const Run one = simulate(args, "OMP_NUM_THREADS=1");
    const Run two = simulate(args, "OMP_NUM_THREADS=2");
    REQUIRE(one.code == 0);
    REQUIRE(two.code == 0);
    const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);
    for (const char* key : {"C_h0", "C_phi0", "C_r0", "tau_corr", "lambda_max", "participation_ratio"}) {
        CAPTURE(key);
        CHECK(a.at(key) == b.at(key));
    }
}
