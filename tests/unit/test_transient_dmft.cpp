// Unit checks of the transient (two-time) DMFT pieces: the causal Cholesky factor of a non-stationary
// covariance (exact factors, sampled covariance, semidefinite and indefinite matrices), the gate filter
// coefficients, and the solver's input rules.
#include "dmft/transient_dmft.hpp"
#include "numerics/circulant_sampler.hpp"
#include "numerics/errors.hpp"
#include "numerics/gaussian_process.hpp"
#include "numerics/progress.hpp"

#include "tests/cli_run.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>
#include <omp.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

// Appends every row of the n x n covariance A(i, j) = cov(i, j).
template <class F>
CausalCholesky factor(std::size_t n, F cov, double floor = 1e-12) {
    CausalCholesky L(n, floor);
    std::vector<double> a(n);
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t j = 0; j <= k; ++j) a[j] = cov(k, j);
        L.append(a.data());
    }
    return L;
}

namespace fs = std::filesystem;

using gdmft_test::Run;
using gdmft_test::scratch;
using gdmft_test::slurp;

Run run_cli(const std::string& args) { return gdmft_test::run_gdmft(args); }

double reconstruct(const CausalCholesky& L, std::size_t i, std::size_t j) {
    double s = 0;
    for (std::size_t l = 0; l <= std::min(i, j); ++l) s += L.at(i, l) * L.at(j, l);
    return s;
}

}  // namespace

TEST_CASE("causal Cholesky of Brownian motion: L(k,j) = sqrt(dt) exactly (closed form)") {
    // min(t_i, t_j) with t_k = (k+1) dt is the covariance of Brownian motion: x_k = sqrt(dt) sum_{j<=k} xi_j.
    const double dt = 0.1;
    const std::size_t n = 50;
    const CausalCholesky L = factor(n, [&](std::size_t i, std::size_t j) { return dt * double(std::min(i, j) + 1); });
    CHECK(L.rows() == n);
    CHECK(L.active_pivots() == n);
    CHECK(L.clipped_weight() == 0.0);
    for (std::size_t k = 0; k < n; k += 7)
        for (std::size_t j = 0; j <= k; ++j) CHECK(L.at(k, j) == doctest::Approx(std::sqrt(dt)).epsilon(1e-12));
}

TEST_CASE("causal Cholesky: rows already built do not change when rows are appended") {
    // Non-stationary covariance: an OU process started at 0 plus a growing smooth part.
    auto cov = [](std::size_t i, std::size_t j) {
        const double s = 0.2 * double(i + 1), t = 0.2 * double(j + 1);
        return std::exp(-std::abs(t - s)) - std::exp(-(t + s)) + 0.3 * s * t * std::exp(-(s - t) * (s - t));
    };
    const CausalCholesky a = factor(20, cov), b = factor(40, cov);
    for (std::size_t k = 0; k < 20; ++k)
        for (std::size_t j = 0; j <= k; ++j) CHECK(a.at(k, j) == b.at(k, j));
    for (std::size_t i = 0; i < 40; i += 3)
        for (std::size_t j = 0; j <= i; j += 2) CHECK(reconstruct(b, i, j) == doctest::Approx(cov(i, j)).epsilon(1e-10));
}

TEST_CASE("causal Cholesky sampler reproduces a known non-stationary covariance within standard errors") {
    // Target: OU process x' = -x + noise started at x(0) = 0 (variance 1 - e^{-2t}), times a growing
    // envelope, plus a rank-one static part: A(s, t) = e(s) e(t) [e^{-|t-s|} - e^{-(t+s)}] + 0.25.
    const std::size_t n = 60, samples = 20000;
    const double dt = 0.1;
    auto env = [&](std::size_t i) { return 1.0 + 0.05 * double(i); };
    auto cov = [&](std::size_t i, std::size_t j) {
        const double s = dt * double(i + 1), t = dt * double(j + 1);
        return env(i) * env(j) * (std::exp(-std::abs(t - s)) - std::exp(-(t + s))) + 0.25;
    };
    const CausalCholesky L = factor(n, cov);
    CHECK(L.clipped_weight() == 0.0);
    std::vector<double> xi(n), x(n), sum2(n * n, 0.0);
    for (std::size_t s = 0; s < samples; ++s) {
        WhiteNoise::fill(stream_key(gdmft_test::seed(11), s), xi.data(), n);
        for (std::size_t k = 0; k < n; ++k) {
            double v = 0;
            for (std::size_t j = 0; j <= k; ++j) v += L.at(k, j) * xi[j];
            x[k] = v;
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j <= i; ++j) sum2[i * n + j] += x[i] * x[j];
    }
    // Standard error of an empirical covariance of Gaussian variables: sqrt((A_ii A_jj + A_ij^2) / samples).
    int over3 = 0, checked = 0;
    for (std::size_t i = 0; i < n; i += 3)
        for (std::size_t j = 0; j <= i; j += 3) {
            const double est = sum2[i * n + j] / double(samples);
            const double se = std::sqrt((cov(i, i) * cov(j, j) + cov(i, j) * cov(i, j)) / double(samples));
            CHECK(std::abs(est - cov(i, j)) < 4.75 * se);
            over3 += std::abs(est - cov(i, j)) > 3 * se;
            ++checked;
        }
    // Correlated entries: a few beyond 3 SE are possible, but not many (expected ~0.3%). Over
    // GDMFT_TEST_SEED_OFFSET 1-16: 0-2 of the 210 beyond 3 SE, the largest |z| 1.9-3.4 (4.75 SE: the chance
    // that any of the 210 exceeds it is below 210 x 2e-6 = 4e-4; it was 4.5, 1.4e-3).
    CHECK(over3 <= checked / 20);
}

TEST_CASE("causal Cholesky: a rank-2 matrix keeps 2 pivots and is reproduced; an indefinite one is clipped") {
    const std::size_t n = 30;
    auto v = [](std::size_t i) { return std::sin(0.3 * double(i)) + 1.0; };
    auto w = [](std::size_t i) { return std::cos(0.17 * double(i)); };
    auto cov = [&](std::size_t i, std::size_t j) { return v(i) * v(j) + w(i) * w(j); };
    const CausalCholesky L = factor(n, cov, 1e-10);
    CHECK(L.active_pivots() == 2);
    CHECK(L.clipped_weight() < 1e-12);
    for (std::size_t i = 0; i < n; i += 4)
        for (std::size_t j = 0; j <= i; j += 3) CHECK(reconstruct(L, i, j) == doctest::Approx(cov(i, j)).epsilon(1e-9));

    // [[1, 0.9], [0.9, 0.5]]: pivot 0.5 - 0.81 = -0.31 is clipped; weight 0.31 / trace 1.5.
    CausalCholesky M(2);
    const double r0[] = {1.0};
    const double r1[] = {0.9, 0.5};
    M.append(r0);
    CHECK(M.append(r1) == doctest::Approx(-0.31).epsilon(1e-12));
    CHECK(M.active_pivots() == 1);
    CHECK(M.clipped_weight() == doctest::Approx(0.31 / 1.5).epsilon(1e-12));
    CHECK_THROWS_AS(M.append(r1), std::length_error);
}

TEST_CASE("gate filter step is exact for inputs linear over a step (closed form of tau x' = -x + u)") {
    // u(s) = u0 + (u1 - u0) s/dt from x(0) = x0: x(dt) = x0 e^{-dt/tau} + u0 (1 - e^{-dt/tau}) + (u1 - u0) (1 - tau/dt (1 - e^{-dt/tau})).
    const double dt = 0.2, tau = 0.7, x0 = 0.3, u0 = -1.1, u1 = 0.4;
    const auto f = detail::FilterStep::make(dt, tau);
    const double a = std::exp(-dt / tau);
    const double exact = x0 * a + u0 * (1 - a) + (u1 - u0) * (1 - tau / dt * (1 - a));
    CHECK(f.a * x0 + f.c0 * u0 + f.c1 * u1 == doctest::Approx(exact).epsilon(1e-14));
    CHECK(f.a + f.c0 + f.c1 == doctest::Approx(1.0).epsilon(1e-14));  // constant input: fixed point x = u
    const auto inst = detail::FilterStep::make(dt, 0.0);               // instantaneous gate: x = u
    CHECK(inst.a == 0.0);
    CHECK(inst.c0 == 0.0);
    CHECK(inst.c1 == 1.0);
}

TEST_CASE("transient options: each rule names its option") {
    auto name_of = [](TransientOptions o) {
        try {
            o.validate();
        } catch (const BadInput& e) {
            return e.name;
        }
        return std::string("none");
    };
    TransientOptions o;
    CHECK(name_of(o) == "none");
    auto with = [&](auto f) {
        TransientOptions c = o;
        f(c);
        return name_of(c);
    };
    CHECK(with([](TransientOptions& c) { c.grid.dt = 0; }) == "dt");
    CHECK(with([](TransientOptions& c) { c.grid.dt = 0.6; }) == "dt");
    CHECK(with([](TransientOptions& c) { c.grid.t_before = -1; }) == "t_before");
    CHECK(with([](TransientOptions& c) { c.grid.horizon = 0; }) == "horizon");
    CHECK(with([](TransientOptions& c) { c.grid.t_burn = -2; }) == "t_burn");
    CHECK(with([](TransientOptions& c) { c.paths = 4; }) == "paths");
    CHECK(with([](TransientOptions& c) { c.random_sets = 0; }) == "random_sets");
    CHECK(with([](TransientOptions& c) { c.tol = -1; }) == "tol");
    CHECK(with([](TransientOptions& c) { c.max_iterations = 0; }) == "max_iter");
    CHECK(with([](TransientOptions& c) { c.jitter = 0.5; }) == "jitter");
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.grid.recent = 0; }) == "grid_recent");
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.grid.per_octave = 0; }) == "grid_per_octave");
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.keep_two_time = true; }) == "two_time");
    // 32 + 8 floor(log2 750) = 104 memory blocks at most: matched noise needs 208 paths, plain noise does not.
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.paths = 200; }) == "paths");
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.paths = 200, c.grid.match_moments = false; }) == "none");
    CHECK(with([](TransientOptions& c) { c.grid.t_burn = 5000; }) == "dt");  // 25250 uniform rows
    CHECK(with([](TransientOptions& c) { c.grid.kind = TwoTimeGrid::Log, c.grid.t_burn = 5000; }) == "none");
    CHECK(parse_transient_start("network") == TransientStart::Network);
    CHECK_THROWS_AS(parse_transient_start("cold"), BadInput);
    CHECK(parse_two_time_grid("log") == TwoTimeGrid::Log);
    CHECK_THROWS_AS(parse_two_time_grid("sparse"), BadInput);
}

namespace {

// The log grid against the uniform grid: a short run from the network start (201 rows of dt 0.25, 2
// sets of 200 paths, C_h(t_w + tau, t_w) at t_w = 5 and 20) on the uniform grid, then on the log grid
// with every earlier step in memory and the uniform grid's plain noise. `o` holds the log grid's options.
struct GridPair {
    TransientOptions o;
    TransientResult u, l;
};

GridPair uniform_and_full_log(const ModelParams& p, const GateDrive& d) {
    GridPair g;
    TransientOptions& o = g.o;
    o.start = TransientStart::Network;
    o.reference = false;
    o.grid.dt = 0.25;
    o.grid.t_burn = 10;
    o.grid.t_before = 0;
    o.grid.horizon = 40;  // 201 rows
    o.paths = 200;
    o.random_sets = 2;
    o.aging.waiting_times = {5, 20};
    o.aging.lags = 8;
    g.u = solve_transient(p, d, o, nullptr);
    o.grid.kind = TwoTimeGrid::Log;
    o.grid.recent = 1000;
    o.grid.match_moments = false;  // the uniform grid's plain noise
    g.l = solve_transient(p, d, o, nullptr);
    REQUIRE(g.u.converged);
    REQUIRE(g.l.converged);
    return g;
}

// The largest difference of the per-set C_h(t, t), the mean sigma_r and the ageing curves.
double worst_difference(const TransientResult& u, const TransientResult& l) {
    double worst = 0;
    for (std::size_t i = 0; i < u.t.size(); ++i) {
        worst = std::max(worst, std::abs(u.mean_sigma_r[i] - l.mean_sigma_r[i]));
        for (std::size_t s = 0; s < u.set_C_h_tt.size(); ++s)
            worst = std::max(worst, std::abs(u.set_C_h_tt[s][i] - l.set_C_h_tt[s][i]));
    }
    for (std::size_t w = 0; w < u.aging.curves.size(); ++w)
        for (std::size_t i = 0; i < u.aging.lags.size(); ++i)
            worst = std::max(worst, std::abs(u.aging.curves[w].C_h[i] - l.aging.curves[w].C_h[i]));
    return worst;
}

}  // namespace

TEST_CASE("log grid: with every earlier step in memory it is the uniform grid's march on the same noise") {
    // numerics/log_memory.hpp: K >= n makes each conditional draw the causal Cholesky row, so the two
    // marches agree to rounding (systems of condition <= 1 / jitter = 1e6). Dynamic clock (both fields).
    ModelParams p;
    p.alpha_z = 4;
    p.tau_z = 0.5;
    const GateDrive d;
    GridPair g = uniform_and_full_log(p, d);
    const TransientResult &u = g.u, &l = g.l;
    CHECK(l.memory_rows == 200);
    CHECK(u.memory_rows == 201);
    // The path variance of the h field over its covariance: NaN on the uniform grid; on 200 paths the
    // ratio at one step scatters by about sqrt(2/200) = 0.1, here averaged over the last 20 steps.
    CHECK(std::isnan(u.field_variance_ratio));
    CHECK(std::abs(l.field_variance_ratio - 1) < 0.3);
    CHECK(worst_difference(u, l) < 1e-8);
    // A short memory changes the numbers (the check above can fail).
    g.o.grid.recent = 4;
    g.o.grid.per_octave = 1;
    const TransientResult s = solve_transient(p, d, g.o, nullptr);
    CHECK(std::abs(s.set_C_h_tt[0].back() - u.set_C_h_tt[0].back()) > 1e-6);
}

TEST_CASE("log grid, dynamic output gate: a deterministic gate gives the uniform grid's march on the same noise") {
    // With g_r = 0 the output gate carries no noise: r(t) is the filtered drive b_r(t), the same on
    // every path, so sigma_r(r(t)) phi(h(t)) has the covariance C_sr C_phi of the uniform grid's gate
    // rows exactly, and with every earlier step in memory the two marches agree to rounding (as in the
    // test above). The drive into r makes the gate change during the run. (Sampling sigma_r phi as 0.5
    // phi instead gave a difference of 0.6.)
    ModelParams p;
    p.alpha_z = 4;
    p.tau_z = 0.5;
    p.alpha_r = 3;
    p.g_r = 0;
    p.tau_r = 2;
    GateDrive d;
    d.amp_r = -2;
    d.t_on = 5;
    d.t_off = 15;
    const GridPair g = uniform_and_full_log(p, d);
    // The drive closes the gate (amp_r < 0): sigma_r falls from 1/2 and recovers.
    const auto [lo, hi] = std::minmax_element(g.l.mean_sigma_r.begin(), g.l.mean_sigma_r.end());
    CHECK(*lo < 0.2);
    CHECK(*hi == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(worst_difference(g.u, g.l) < 1e-8);
}

// A small, fast run: SCS limit (alpha_z = 0, Gaussian-closure reference), 200 times, 64 paths.
const std::string kSmall = "transient --quiet --dt 0.2 --t-burn 20 --t-before 4 --horizon 16 --paths 64 --random-sets 2";

TEST_CASE("gdmft transient --json --out: keys, transient.csv with its header, the readout at the pulse") {
    const fs::path dir = scratch() / "run";
    const Run r = run_cli(kSmall + " --json --no-plot --out " + dir.string());
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"converged", "termination", "message", "iterations", "residual", "residual_history",
                            "clipped_weight", "paths", "random_sets", "times", "t_burn", "tau_response", "R0",
                            "pre_drive_C_h", "pre_drive_C_h_err", "stationary", "version", "command_line", "seed",
                            "params", "settings"})
        CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["converged"] == true);
    CHECK(j["residual"].get<double>() <= 1e-6);
    // Constant clock sigma_z = 1/2: R(0, 0) = sigma_z / tau_h = 0.5 on every path (exact).
    CHECK(j["R0"].get<double>() == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(j["settings"]["drive_amp_z"] == 0.0);
    const std::string csv = slurp(dir / "transient.csv");
    CHECK(csv.find("# command_line: ") != std::string::npos);
    CHECK(csv.find("# seed: ") != std::string::npos);
    CHECK(csv.find("\nt,R,R_err,C_h_tt,C_phi_tt,mean_sigma_z,mean_sigma_r,C_h_tt_err,R_stationary\n") != std::string::npos);
    std::size_t rows = 0;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') ++rows;
    CHECK(rows == 1 + 101);  // header + t = -4 .. 16 in steps of 0.2
}

TEST_CASE("gdmft transient: bad input exits 2 naming the flag; an unreachable tolerance exits 3 with the JSON") {
    struct Case {
        const char* args;
        const char* flag;
    };
    for (const Case c : {Case{"--dt 0", "--dt"}, Case{"--dt 0.8", "--dt"}, Case{"--paths 4", "--paths"},
                         Case{"--horizon 0", "--horizon"}, Case{"--t-burn -1", "--t-burn"},
                         Case{"--drive-rise 0", "--drive-rise"}, Case{"--drive-t-on 5 --drive-t-off 2", "--drive-t-off"},
                         Case{"--start cold", "--start"}, Case{"--no-reference", "--no-reference"},
                         Case{"--random-sets 0", "--random-sets"}, Case{"--alpha-z -1 --tau-z -1", "--tau-z"},
                         Case{"--grid sparse", "--grid"}, Case{"--grid-recent 8", "--grid-recent"},
                         Case{"--grid log --grid-per-octave 0", "--grid-per-octave"},
                         Case{"--grid log --two-time", "--two-time"},
                         Case{"--grid log", "--paths"}}) {
        const Run r = run_cli(kSmall + " " + c.args);
        CHECK_MESSAGE(r.code == 2, c.args);
        CHECK_MESSAGE(r.err.find(c.flag) != std::string::npos, c.args << ": " << r.err);
    }
    // The batch-map residual is ~1e-16, never below 1e-30: exit 3, JSON with "converged": false.
    const Run r = run_cli(kSmall + " --json --tol 1e-30 --max-iter 2");
    CHECK(r.code == 3);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["converged"] == false);
    CHECK(j["termination"] == "max_iterations");
    CHECK(j["residual_history"].size() == 2);
}

TEST_CASE("transient solver: the same seed gives bit-identical results on 1 and 2 threads; another seed differs") {
    ModelParams p;
    p.alpha_z = 3;  // dynamic clock: both fields and the z filter are exercised
    p.alpha_r = 1;  // dynamic output gate: the C_sr rows too
    TransientOptions o;
    o.start = TransientStart::Network;
    o.reference = false;
    o.grid.dt = 0.25;
    o.grid.t_burn = 10;
    o.grid.t_before = 2;
    o.grid.horizon = 8;
    o.paths = 200;  // not a multiple of the 64-path chunk
    o.random_sets = 2;
    GateDrive d;
    d.amp_z = 0.5;
    d.amp_r = -0.5;
    d.t_on = 2;
    d.t_off = 4;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const TransientResult a = solve_transient(p, d, o, nullptr);
    omp_set_num_threads(2);
    const TransientResult b = solve_transient(p, d, o, nullptr);
    omp_set_num_threads(saved);
    o.seed = 2;
    const TransientResult c = solve_transient(p, d, o, nullptr);
    REQUIRE(a.converged);
    REQUIRE(b.converged);
    CHECK(a.residual <= 1e-12);
    CHECK(a.t.size() == b.t.size());
    for (std::size_t i = 0; i < a.t.size(); ++i) {
        CHECK(a.R[i] == b.R[i]);
        CHECK(a.C_h_tt[i] == b.C_h_tt[i]);
        CHECK(a.mean_sigma_r[i] == b.mean_sigma_r[i]);
    }
    CHECK(c.C_h_tt.back() != a.C_h_tt.back());
    // The drive opens the clock and closes the output gate while it is on.
    const auto at = [&](double t) { return static_cast<std::size_t>(std::llround((t - a.t.front()) / a.dt)); };
    CHECK(a.mean_sigma_z[at(3.5)] > a.mean_sigma_z[at(1.0)] + 0.1);
    CHECK(a.mean_sigma_r[at(3.5)] < a.mean_sigma_r[at(1.0)] - 0.05);
    // The log grid with the sampled output gate (two memory processes): bit-identical on 1 and 2 threads.
    o.seed = 1;
    o.grid.kind = TwoTimeGrid::Log;
    o.grid.recent = 8;
    o.grid.per_octave = 2;
    omp_set_num_threads(1);
    const TransientResult la = solve_transient(p, d, o, nullptr);
    omp_set_num_threads(2);
    const TransientResult lb = solve_transient(p, d, o, nullptr);
    omp_set_num_threads(saved);
    REQUIRE(la.converged);
    for (std::size_t i = 0; i < la.t.size(); ++i) {
        CHECK(la.C_h_tt[i] == lb.C_h_tt[i]);
        CHECK(la.mean_sigma_r[i] == lb.mean_sigma_r[i]);
    }
    CHECK(la.mean_sigma_r[at(3.5)] < la.mean_sigma_r[at(1.0)] - 0.05);
}
