// The library API as a C++ caller uses it: solve_stationary picks the method and its defaults,
// lyapunov_max takes the route and reuses the solver's kept state, progress reaches the caller's
// observer, and bad options or oversized runs throw BadInput naming the key.
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/single_site_sampler.hpp"
#include "dmft/solve.hpp"
#include "numerics/errors.hpp"
#include "numerics/memory.hpp"
#include "tests/cli_run.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

// The name of the BadInput that f throws ("" if none).
template <class F>
std::string bad_key(F&& f) {
    try {
        f();
    } catch (const BadInput& e) {
        return e.name;
    }
    return "";
}

// Collects what the solvers report.
struct Recorder final : Observer {
    mutable std::vector<std::string> lines;
    mutable int reports = 0;
    void progress(const ProgressReport&) const override { ++reports; }
    void log(const std::string& line) const override { lines.push_back(line); }
};

ModelParams scs(double g_eff) {
    ModelParams p;
    p.g_h = 2 * g_eff;  // sigma_r(0) = 1/2
    return p;
}

}  // namespace

TEST_CASE("the method: gaussian when alpha_z = 0, else sampled; each with its own lag step") {
    ModelParams p;
    CHECK(resolve_method(p, Method::Auto) == Method::Gaussian);
    p.alpha_z = 1;
    CHECK(resolve_method(p, Method::Auto) == Method::Sampled);
    CHECK(bad_key([&] { resolve_method(p, Method::Gaussian); }) == "method");
    StationaryOptions o;
    CHECK(resolved_options(p, o).grid.dt == sampled_default_dt);
    CHECK(resolved_options(ModelParams{}, o).grid.dt == gaussian_default_dt);
    // The sampled method takes one step at either clock (constant: alpha_z = 0 or g_z = 0).
    StationaryOptions os;
    os.method = Method::Sampled;
    CHECK(resolved_options(ModelParams{}, os).grid.dt == sampled_default_dt);
    CHECK(resolved_options(p, os).grid.dt == sampled_default_dt);
    CHECK(sampled_default_dt == 0.2);
    o.grid.dt = 0.1;
    CHECK(resolved_options(p, o).grid.dt == 0.1);  // a given step is kept
    CHECK(bad_key([&] { parse_method("closure"); }) == "method");
    CHECK(bad_key([&] { parse_lyapunov_method("qr"); }) == "lyapunov_method");
}

TEST_CASE("solve_stationary at SCS g_eff = 2: the closure's C_h0 and the Schrodinger lambda_max") {
    // THEORY.md 8: Delta0 = 1.924805 and lambda_max tau_eff = 0.112458 (tau_eff = tau_h / sigma_z(0) = 2).
    StationaryOptions o;
    o.lyapunov = true;
    const StationaryResult r = solve_stationary(scs(2), o);
    REQUIRE(r.converged);
    CHECK(r.method == "gaussian");
    CHECK(r.tau[1] - r.tau[0] == doctest::Approx(gaussian_default_dt));
    CHECK(r.C_h0 == doctest::Approx(1.924805).epsilon(1e-5));
    CHECK(r.lambda_method == "schrodinger");
    CHECK(r.lambda_max * 2 == doctest::Approx(0.112458).epsilon(1e-2));
    CHECK(std::isnan(r.lambda_max_err));  // deterministic route
    CHECK_FALSE(r.coexists_with_stable_fixed_point);
    // solve_stationary fills C_h's tail form; the closure's is exponential, with its 1e-6 floor as error.
    CHECK(r.tail.form == "exponential");
    CHECK(r.tail.decayed);
    CHECK(r.tail.errors_from == "per-lag errors");
    CHECK(r.tail.exp_time > 0);
    CHECK(r.tail.fit_from < r.tail.fit_to);

    // The same route on the solution without lambda: solved again on the same lag grid.
    o.lyapunov = false;
    const StationaryResult plain = solve_stationary(scs(2), o);
    CHECK(std::isnan(plain.lambda_max));
    CHECK(plain.lambda_method.empty());
    const LyapunovResult l = lyapunov_max(scs(2), plain, LyapunovOptions{});
    CHECK(l.converged);
    CHECK(l.method == LyapunovMethod::Schrodinger);
    CHECK(l.value == doctest::Approx(r.lambda_max).epsilon(1e-9));

    // The closed-form tangent map on the same solution: the Schrodinger problem discretised otherwise.
    LyapunovOptions lo;
    lo.method = LyapunovMethod::ClosureTangent;
    const LyapunovResult t = lyapunov_max(scs(2), plain, lo);
    CHECK(t.converged);
    CHECK(t.method == LyapunovMethod::ClosureTangent);
    CHECK(t.value == doctest::Approx(r.lambda_max).epsilon(2e-3));

    // A route of the other solver, or Schrodinger with a dynamic r gate, is bad input.
    lo.method = LyapunovMethod::Schrodinger;
    ModelParams dyn = scs(2);
    dyn.alpha_r = 2;
    CHECK(bad_key([&] { resolve_lyapunov_method(dyn, Method::Gaussian, LyapunovMethod::Schrodinger); }) ==
          "lyapunov_method");
    CHECK(bad_key([&] { resolve_lyapunov_method(dyn, Method::Sampled, LyapunovMethod::ClosureTangent); }) ==
          "lyapunov_method");
}

TEST_CASE("a chaotic solution coexisting with a stable fixed point says so in fields") {
    // THEORY.md 6: for alpha_r > 2 sqrt(3) the onset is discontinuous and lies below g_h = 2, where the
    // zero fixed point loses stability (G = (g_h sigma_r(0))^2 = (g_h / 2)^2); tests/science
    // test_gaussian_closure_reference brackets it above sqrt(8/3) = 1.63 at alpha_r = 10. At g_h = 1.95
    // the chaotic solution and the stable zero fixed point coexist.
    ModelParams p;
    p.g_h = 1.95;
    p.alpha_r = 10;
    p.tau_r = 0;
    const StationaryResult r = solve_stationary(p, StationaryOptions{});
    REQUIRE(r.termination == Termination::Converged);
    CHECK(r.C_h0 > 0.02);
    CHECK(r.coexists_with_stable_fixed_point);
    CHECK(r.stable_fixed_point_Delta_h == doctest::Approx(0.0));
    // Above g_h = 2 the zero fixed point is unstable: no coexistence.
    p.g_h = 2.5;
    const StationaryResult above = solve_stationary(p, StationaryOptions{});
    REQUIRE(above.converged);
    CHECK_FALSE(above.coexists_with_stable_fixed_point);
    CHECK(std::isnan(above.stable_fixed_point_Delta_h));
}

TEST_CASE("the sampled solver keeps its converged sets: lambda_max later equals lambda_max inline") {
    ModelParams p = scs(2);
    p.alpha_z = 2;
    StationaryOptions o;
    o.paths = 256;  // the tangent uses max(256, paths / 4) paths
    o.random_sets = 2;
    o.tol = 1e-4;
    o.seed = 3;
    o.grid.dt = 0.2;
    o.grid.window = 30;
    Recorder rec;
    o.observer = &rec;
    o.lyapunov = true;
    const StationaryResult inline_ = solve_stationary(p, o);
    REQUIRE(inline_.converged);
    CHECK(inline_.method == "sampled");
    CHECK(inline_.lambda_method == "sampled-tangent");
    CHECK(!rec.lines.empty());  // the solver's log lines reached the caller's observer

    o.lyapunov = false;
    o.observer = nullptr;
    const StationaryResult plain = solve_stationary(p, o);
    REQUIRE(plain.sampled_state);
    CHECK(plain.sampled_state->sets.size() == 2);
    CHECK(std::isnan(plain.lambda_max));
    CHECK_FALSE(plain.tail.evidence.empty());  // the tail form reaches the sampled method too
    CHECK(plain.tail.errors_from != "per-lag errors");
    const LyapunovResult later = lyapunov_max(p, plain, LyapunovOptions{});
    CHECK(later.method == LyapunovMethod::SampledTangent);
    // Common random numbers: the same paths and the same fields give the same bits.
    CHECK(later.value == inline_.lambda_max);
    CHECK(later.error == inline_.lambda_max_err);
}

TEST_CASE("bad options and oversized runs throw BadInput naming the key") {
    StationaryOptions o;
    o.tol = -1;
    CHECK(bad_key([&] { solve_stationary(ModelParams{}, o); }) == "tol");
    o = StationaryOptions{};
    o.grid.dt = -0.1;
    CHECK(bad_key([&] { solve_stationary(ModelParams{}, o); }) == "dt");
    ModelParams bad;
    bad.tau_h = 0;
    CHECK(bad_key([&] { solve_stationary(bad, StationaryOptions{}); }) == "tau_h");
    LyapunovOptions lo;
    lo.paths = 2;
    const StationaryResult r = solve_stationary(ModelParams{}, StationaryOptions{});
    CHECK(bad_key([&] { lyapunov_max(ModelParams{}, r, lo); }) == "lyapunov_paths");
    ModelParams gated;
    gated.alpha_z = 1;
    CHECK(bad_key([&] { closure_tangent_lambda(gated, r); }) == "alpha_z");
    CHECK(bad_key([&] { SiteGrid::make(1, 0.1, 100); }) == "n");
    CHECK(bad_key([&] { require_memory("N", 1e30, "a test allocation"); }) == "N");
    CHECK(available_memory_bytes() > 1e8);
}

TEST_CASE("the CLI: an oversized network and a negative seed exit 2 naming the flag, before allocating") {
    const auto big = gdmft_test::run_gdmft("simulate --N 2000000 --quiet");  // 3.2e13 bytes of couplings
    CHECK(big.code == 2);
    CHECK(big.err.find("--N") != std::string::npos);
    CHECK(big.err.find("bytes") != std::string::npos);
    const auto spec = gdmft_test::run_gdmft("spectrum --N 5000000 --quiet");
    CHECK(spec.code == 2);
    CHECK(spec.err.find("--N") != std::string::npos);
    const auto seed = gdmft_test::run_gdmft("solve --seed -1 --quiet");
    CHECK(seed.code == 2);
    CHECK(seed.err.find("--seed") != std::string::npos);
}
