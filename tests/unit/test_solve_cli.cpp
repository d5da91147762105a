// gdmft solve and gdmft fixedpoint as a user runs them: the JSON keys of INTERFACE.md, the exit codes
// (2 bad input, 3 not converged with the JSON still printed), and correlations.csv with its header.
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
using gdmft_test::scratch;
using gdmft_test::slurp;

Run gdmft(const std::string& args) { return gdmft_test::run_gdmft(args); }

}  // namespace

TEST_CASE("solve --json carries the keys of INTERFACE.md; --out writes correlations.csv") {
    const fs::path dir = scratch() / "solve";
    const Run r = gdmft("solve --g-h 4 --json --lyapunov --quiet --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"converged", "method", "C_h0", "C_phi0", "C_r0", "C_z0", "tau_corr", "tau_response",
                            "mean_sigma_z", "lambda_max", "stat_err", "iterations", "residual", "termination",
                            "zero_mode_eigenvalue", "version", "command_line", "seed", "params"})
        CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["converged"] == true);
    CHECK(j["method"] == "gaussian");
    CHECK(j["stat_err"] == 0.0);
    // g_h = 4, beta_r = 0: SCS with g_eff = 2, Delta0 = 1.924805 (THEORY.md section 8).
    CHECK(j["C_h0"].get<double>() == doctest::Approx(1.924805).epsilon(1e-5));
    CHECK(j["lambda_max"].is_number());
    CHECK(j["params"]["g_h"] == 4.0);
    // The tail of C_h - q_h: the closure's is exponential, resolved within its automatic window.
    const auto& tail = j.at("tail");
    for (const char* key : {"form", "decayed", "tau_corr_lower_bound", "fit_from", "fit_to", "fit_points", "exp_time",
                            "exp_time_err", "power_exponent", "power_exponent_err", "chi2_exp", "chi2_power",
                            "drift_sigmas", "drift_ratio", "level_at_end", "errors_from", "evidence"})
        CHECK_MESSAGE(tail.contains(key), key);
    CHECK(tail["form"] == "exponential");
    CHECK(tail["decayed"] == true);
    CHECK(tail["tau_corr_lower_bound"].is_null());
    CHECK(tail["errors_from"] == "per-lag errors");
    CHECK(tail["exp_time"].get<double>() > 0);

    const std::string csv = slurp(dir / "correlations.csv");
    CHECK(csv.rfind("# ", 0) == 0);
    CHECK(csv.find("\ntau,C_h,C_phi,C_r,C_z,C_srphi,R\n") != std::string::npos);
    CHECK(csv.find("# params: ") != std::string::npos);
}

TEST_CASE("solve: lambda_max is null without --lyapunov; the method defaults by alpha_z; bad input exits 2") {
    const Run r = gdmft("solve --json --quiet");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["lambda_max"].is_null());
    CHECK(j["method"] == "gaussian");

    const Run bad = gdmft("solve --alpha-z 1 --method gaussian --json --quiet");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("--method") != std::string::npos);
    CHECK(gdmft("solve --method magic --quiet").code == 2);
    CHECK(gdmft("solve --dt -0.1 --quiet").code == 2);
    CHECK(gdmft("solve --tol 0 --quiet").code == 2);
}

TEST_CASE("solve: the sampled method steps dt 0.2 at either clock unless --dt is given; --noise-tol is checked") {
    auto lag_step = [](const fs::path& csv) {
        std::istringstream in(slurp(csv));
        std::string line;
        while (std::getline(in, line) && line.rfind("tau,", 0) != 0) {}
        double t0 = 0, t1 = 0;
        std::getline(in, line);
        t0 = std::stod(line.substr(0, line.find(',')));
        std::getline(in, line);
        t1 = std::stod(line.substr(0, line.find(',')));
        return t1 - t0;
    };
    const std::string small_opts = " --paths 64 --random-sets 2 --window 10 --max-iter 30 --json --quiet";
    const std::string small = "solve --alpha-z 1" + small_opts;
    const fs::path a = scratch() / "sampled_dt_default", b = scratch() / "sampled_dt_given";
    const Run ra = gdmft(small + " --out " + a.string());
    const Run rb = gdmft(small + " --dt 0.05 --out " + b.string());
    REQUIRE((ra.code == 0 || ra.code == 3));
    REQUIRE((rb.code == 0 || rb.code == 3));
    CHECK(nlohmann::json::parse(ra.out)["method"] == "sampled");
    CHECK(lag_step(a / "correlations.csv") == doctest::Approx(0.2));
    CHECK(lag_step(b / "correlations.csv") == doctest::Approx(0.05));
    // So does a constant clock (alpha_z = 0).
    const fs::path c = scratch() / "sampled_dt_constant_clock";
    const Run rc = gdmft("solve --method sampled" + small_opts + " --out " + c.string());
    REQUIRE((rc.code == 0 || rc.code == 3));
    CHECK(lag_step(c / "correlations.csv") == doctest::Approx(0.2));
    // The Gaussian closure keeps its own default step.
    const fs::path g = scratch() / "gaussian_dt_default";
    REQUIRE(gdmft("solve --quiet --out " + g.string()).code == 0);
    CHECK(lag_step(g / "correlations.csv") == doctest::Approx(0.05));
    const Run bad = gdmft("solve --alpha-z 1 --noise-tol -1 --quiet");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("noise") != std::string::npos);
}

TEST_CASE("solve: a run that does not converge exits 3 and still prints its JSON") {
    // A dynamic r gate needs the continuation in tau_r: two Newton iterations are not enough.
    const Run r = gdmft("solve --alpha-r 4 --tau-r 2 --max-iter 2 --json --quiet");
    CHECK(r.code == 3);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["converged"] == false);
    CHECK(j["termination"] == "max_iterations");
    CHECK(j["iterations"] == 2);
}

TEST_CASE("solve: the sampled solve's budgets end it with exit 3, the JSON, and the values that did not settle") {
    // alpha_z = 5: the covariance's 1/e time is ~70 tau_h, so a window budget of 30 cannot hold its decay
    // (needs ~10 x that); the solution on the last window is still printed.
    const Run w = gdmft("solve --alpha-z 5 --paths 64 --random-sets 1 --max-window 30 --max-iter 40 --json --quiet");
    CHECK(w.code == 3);
    const auto jw = nlohmann::json::parse(w.out);
    CHECK(jw["converged"] == false);
    CHECK(jw["termination"] == "budget");
    const std::string msg = jw["message"];
    CHECK(msg.find("max_window 30") != std::string::npos);
    CHECK(msg.find("at window 30") != std::string::npos);  // the last window's values are named
    CHECK(jw["settings"]["max_window"] == 30.0);
    CHECK(jw["lambda_max"].is_null());  // not asked for
    // With --lyapunov, lambda_max of the last window comes with that window's solution (the tangent
    // DMFT of the converged sets); it is one of the results that did not settle.
    const Run wl = gdmft("solve --alpha-z 5 --paths 64 --random-sets 2 --max-window 30 --max-iter 40 --lyapunov --json --quiet");
    CHECK(wl.code == 3);
    const auto jl = nlohmann::json::parse(wl.out);
    CHECK(jl["termination"] == "budget");
    REQUIRE(jl["lambda_max"].is_number());
    CHECK(std::isfinite(jl["lambda_max"].get<double>()));
    CHECK(jl["lambda_method"] == "sampled-tangent");
    // A wall-clock budget far below one evaluation.
    const Run t = gdmft("solve --alpha-z 5 --paths 64 --random-sets 1 --max-time 1e-6 --json --quiet");
    CHECK(t.code == 3);
    const auto jt = nlohmann::json::parse(t.out);
    CHECK(jt["termination"] == "budget");
    CHECK(jt["message"].get<std::string>().find("max_time") != std::string::npos);
    // Inconsistent or invalid budgets are bad input naming the flag.
    const Run both = gdmft("solve --alpha-z 5 --window 50 --max-window 100 --quiet");
    CHECK(both.code == 2);
    CHECK(both.err.find("--max-window") != std::string::npos);
    const Run neg = gdmft("solve --alpha-z 5 --max-time -1 --quiet");
    CHECK(neg.code == 2);
    CHECK(neg.err.find("--max-time") != std::string::npos);
}

TEST_CASE("fixedpoint --json lists every branch with its stability") {
    // SCS at g_eff = 1.5: the zero branch (G = 2.25, unstable) and one nonzero branch.
    const Run r = gdmft("fixedpoint --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["branches"].is_array());
    REQUIRE(j["branches"].size() == 2);
    for (const auto& b : j["branches"])
        for (const char* key : {"Delta_h", "Delta_r", "Delta_z", "G", "stable"}) CHECK_MESSAGE(b.contains(key), key);
    CHECK(j["branches"][0]["Delta_h"] == 0.0);
    CHECK(j["branches"][0]["G"].get<double>() == doctest::Approx(2.25));
    CHECK(j["branches"][0]["stable"] == false);
    CHECK(j["branches"][1]["Delta_h"].get<double>() > 0);
    CHECK(gdmft("fixedpoint --scan-points 3").code == 2);
}
