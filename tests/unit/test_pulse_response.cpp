// Memory experiments at finite N (validation/pulse_response.hpp, gdmft memory): the gate drive in the
// network's right-hand side against the equations of THEORY.md section 1 (and dmft/gate_drive.hpp), a zero
// drive changing nothing (bit for bit), the algebraic identity m(0) = <sigma_z(z(0))>/tau_h, the
// constant-clock closed form of the response, the tangent against a finite pulse, and the CLI's bad input.
#include "dmft/gate_drive.hpp"
#include "validation/network.hpp"
#include "validation/pulse_response.hpp"
#include "validation/random.hpp"

#include "tests/cli_run.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>
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

using namespace gdmft;
using namespace gdmft::sim;
namespace fs = std::filesystem;

namespace {

ModelParams gated(double tau_z, double tau_r) {
    ModelParams p;
    p.g_h = 2.5, p.g_z = 1.3, p.g_r = 0.8;
    p.alpha_z = 1.7, p.beta_z = 0.4, p.alpha_r = 2.2, p.beta_r = -0.3;
    p.tau_h = 1.3, p.tau_z = tau_z, p.tau_r = tau_r;
    p.input_mean = 0.2, p.input_std = 0.5;
    return p;
}

Eigen::VectorXd random_state(const Network& net, std::uint64_t seed, double scale) {
    NormalStream rng(seed);
    Eigen::VectorXd x(static_cast<Eigen::Index>(net.dim()));
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = scale * rng.normal();
    return x;
}

// --- the CLI ---

using gdmft_test::Run;
using gdmft_test::scratch;
using gdmft_test::slurp;

Run memory(const std::string& args) { return gdmft_test::run_gdmft("memory " + args); }

}  // namespace

TEST_CASE("gate drive in the right-hand side: one unit by hand, from THEORY.md section 1 plus b_z, b_r") {
    // tau_z dz_i/dt = -z_i + sum_j Jz_ij phi(h_j) + b_z (instantaneous: z_i = sum_j Jz_ij phi(h_j) + b_z),
    // likewise r; tau_h dh_i/dt = sigma_z(z_i) [-h_i + sum_j Jh_ij sigma_r(r_j) phi(h_j) + I_i].
    const GateInput b{0.8, -1.1};
    for (auto [tz, tr] : {std::pair{0.7, 2.0}, {0.0, 0.0}, {0.0, 1.5}, {2.0, 0.0}}) {
        CAPTURE(tz);
        CAPTURE(tr);
        const ModelParams p = gated(tz, tr);
        const Network net(p, {30, 4, false, false});
        const Eigen::Index n = 30;
        const Eigen::VectorXd x = random_state(net, 3, 1.1);
        Eigen::MatrixXd dX;
        net.rhs(x, dX, Columns{1, 0}, b);
        const Gate gz = p.gate_z(), gr = p.gate_r();
        // Gate fields of every unit (needed for sigma_r(r_j) when r is instantaneous).
        Eigen::VectorXd z(n), r(n), fz(n), fr(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            fz(i) = fr(i) = 0;
            for (Eigen::Index j = 0; j < n; ++j) {
                fz(i) += net.Jgates()(i, j) * std::tanh(x(j));
                fr(i) += net.Jgates()(n + i, j) * std::tanh(x(j));
            }
        }
        Eigen::Index off = n;
        if (tz > 0) z = x.segment(off, n), off += n; else z = fz.array() + b.z;
        if (tr > 0) r = x.segment(off, n); else r = fr.array() + b.r;
        for (Eigen::Index i : {Eigen::Index(0), Eigen::Index(17)}) {
            double s = 0;
            for (Eigen::Index j = 0; j < n; ++j) s += net.Jh()(i, j) * gr(r(j)) * std::tanh(x(j));
            const double dh = gz(z(i)) / p.tau_h * (-x(i) + s + net.input()(i));
            CHECK(dX(i, 0) == doctest::Approx(dh).epsilon(1e-12));
            off = n;
            if (tz > 0) {
                CHECK(dX(off + i, 0) == doctest::Approx((-z(i) + fz(i) + b.z) / tz).epsilon(1e-12));
                off += n;
            }
            if (tr > 0) CHECK(dX(off + i, 0) == doctest::Approx((-r(i) + fr(i) + b.r) / tr).epsilon(1e-12));
        }
    }
}

TEST_CASE("gate drive: tangent columns are the Jacobian of the driven flow; zero drive is bit-identical") {
    for (auto [tz, tr] : {std::pair{0.7, 2.0}, {0.0, 0.0}}) {
        CAPTURE(tz);
        const Network net(gated(tz, tr), {25, 9, false, false});
        const GateInput b{0.6, -0.9};
        Eigen::MatrixXd X(net.dim(), 2);
        X.col(0) = random_state(net, 1, 1.0);
        X.col(1) = random_state(net, 2, 1.0);
        Eigen::MatrixXd dX, fp, fm;
        net.rhs(X, dX, Columns{1, 1}, b);
        const double h = 1e-6;
        net.rhs(X.col(0) + h * X.col(1), fp, Columns{1, 0}, b);
        net.rhs(X.col(0) - h * X.col(1), fm, Columns{1, 0}, b);
        const Eigen::VectorXd fd = (fp - fm) / (2 * h);
        CHECK((dX.col(1) - fd).cwiseAbs().maxCoeff() < 1e-6 * (1 + fd.cwiseAbs().maxCoeff()));
        // The drive changes the flow (not a vacuous check) ...
        Eigen::MatrixXd d0, dzero;
        net.rhs(X, d0, Columns{1, 1});
        CHECK((d0.col(0) - dX.col(0)).cwiseAbs().maxCoeff() > 1e-3);
        // ... and an explicit zero input is the undriven network, bit for bit.
        net.rhs(X, dzero, Columns{1, 1}, GateInput{0.0, 0.0});
        CHECK((d0.array() == dzero.array()).all());
    }
    // GateDrive with zero amplitudes gives exactly zero input at every time.
    GateDrive d;
    d.t_on = 1, d.t_off = 3, d.rise = 0.5;
    for (double t : {-1.0, 1.2, 2.0, 3.3, 9.0}) CHECK((d.b_z(t) == 0.0 && d.b_r(t) == 0.0));
}

TEST_CASE("pulse response: m(0) = <sigma_z(z(0))>/tau_h per direction; zero-amplitude drive is bit-identical") {
    ModelParams p = gated(1.0, 1.0);
    p.alpha_z = 3;
    PulseOptions o;
    o.N = 120, o.realizations = 2, o.trajectories = 2, o.directions = 4;
    o.t_burn = 10, o.horizon = 4, o.dt = 0.05, o.sample_dt = 0.5;
    const PulseResult a = pulse_response(p, o);
    REQUIRE(a.t.size() == 9);
    // v_i^2 = 1, so the readout of the initial perturbation diag(sigma_z/tau_h) v is exactly the mean clock
    // over units (round-off of a sum of N terms).
    for (const auto& run : a.runs) CHECK(run.m0_max_dev < 1e-14);
    CHECK(a.mean.m[0] == doctest::Approx(a.mean_sigma_z0 / p.tau_h).epsilon(1e-13));
    CHECK(a.mean_sigma_z0 > 0.05);
    CHECK(a.mean_sigma_z0 < 0.95);
    CHECK(a.stderr_over == "realizations");
    // A drive with zero amplitudes but a schedule: identical numbers.
    PulseOptions z = o;
    z.drive.t_on = 1, z.drive.t_off = 2, z.drive.rise = 0.5;
    const PulseResult b = pulse_response(p, z);
    CHECK(a.mean.m == b.mean.m);
    CHECK(a.mean.sigma_z == b.mean.sigma_z);
    CHECK(a.mean.var_h == b.mean.var_h);
    // A real drive opening the update gate changes the readout after it starts, not before.
    PulseOptions dz = z;
    dz.drive.amp_z = 4;
    const PulseResult c = pulse_response(p, dz);
    CHECK(c.mean.m[2] == a.mean.m[2]);  // t = 1 = t_on: the drive's shape is still 0 up to here
    CHECK(c.mean.sigma_z[6] > a.mean.sigma_z[6] + 0.1);  // t = 3: gates opened (measured +0.3)
    CHECK(c.mean.m[8] != a.mean.m[8]);
}

TEST_CASE("pulse response: the exact tangent agrees with a small finite pulse") {
    ModelParams p = gated(1.0, 0.0);
    p.alpha_z = 5;
    PulseOptions o;
    o.N = 150, o.realizations = 1, o.trajectories = 1, o.directions = 3;
    o.t_burn = 10, o.horizon = 6, o.sample_dt = 0.5;
    const PulseResult lin = pulse_response(p, o);
    o.eps = 1e-5;
    const PulseResult fin = pulse_response(p, o);
    CHECK(lin.stderr_over == "directions");
    // Second-order terms are O(eps) relative; float cancellation in h' - h is ~1e-16/eps = 1e-11.
    for (std::size_t k = 0; k < lin.t.size(); ++k) {
        CAPTURE(lin.t[k]);
        CHECK(std::abs(fin.mean.m[k] - lin.mean.m[k]) < 1e-4 * (std::abs(lin.mean.m[0])));
    }
    CHECK(std::abs(fin.mean.tangent_norm.back() / lin.mean.tangent_norm.back() - 1) < 1e-3);
}

TEST_CASE("constant clock (alpha_z = 0): m(t) = (s0/tau_h) exp(-s0 t/tau_h) within the measured spread") {
    // THEORY.md 2, Response kernel: with sigma_z = s0 constant, R(tau) = (s0/tau_h) e^{-s0 tau/tau_h}
    // exactly in the DMFT. At finite N the trace of the recurrent part of the propagator adds O(1/N),
    // and random directions add O(1/sqrt(N K)) noise; chaos (lambda = 0.023 here) is negligible by t = 6.
    // Measured (N = 300, 8 networks x 16 directions, seeds 1-6): the largest |m - R| / stderr over
    // t in (0, 6] was 0.36-1.71 (stderr over networks, ~1e-3 at t = 6); no O(1/N) bias is resolved.
    // Over GDMFT_TEST_SEED_OFFSET 1-16 the largest |m - R| / stderr was 1.16 +- 0.80, max 2.9. A standard error
    // of 8 networks is Student t with 7 degrees of freedom (two-sided tail 0.5% at 4, 2e-4 at 7): the check
    // allows 7 standard errors at every sample (the mean response time below is the sharper check).
    ModelParams p;  // g_h = 3, sigma_z(0) = sigma_r(0) = 1/2: SCS with g_eff = 1.5
    p.tau_h = 1.5;
    const double s0 = 0.5;
    PulseOptions o;
    o.N = 300, o.realizations = 8, o.directions = 16, o.seed = gdmft_test::seed(1);
    o.t_burn = 40, o.horizon = 6, o.dt = 0.05, o.sample_dt = 0.25;
    const PulseResult r = pulse_response(p, o);
    double worst = 0;
    for (std::size_t k = 0; k < r.t.size(); ++k) {
        const double exact = s0 / p.tau_h * std::exp(-s0 * r.t[k] / p.tau_h);
        CAPTURE(r.t[k]);
        CAPTURE(r.mean.m[k]);
        CAPTURE(exact);
        CHECK(std::abs(r.mean.m[k] - exact) <= 7 * r.m_stderr[k] + 1e-14);
        if (k > 0) worst = std::max(worst, std::abs(r.mean.m[k] - exact) / r.m_stderr[k]);
    }
    MESSAGE("largest |m - R|/stderr over t in (0, 6]: " << worst);
    CHECK(r.mean.m[0] == doctest::Approx(s0 / p.tau_h).epsilon(1e-14));
    // And the mean response time over [0, 6] against the closed form's: measured over offsets 1-16 -0.19% +-
    // 0.37% (max |.| 1.1%); 3% is 7.6 sd.
    std::vector<double> R;
    for (double t : r.t) R.push_back(s0 / p.tau_h * std::exp(-s0 * t / p.tau_h));
    CHECK(mean_time(r.t, r.mean.m) == doctest::Approx(mean_time(r.t, R)).epsilon(0.03));
}

TEST_CASE("direction noise: the spread of single-direction readouts equals |delta h| / N (the noise floor)") {
    // For v_i = +-1, m_v = (1/N) [tr A + sum_{i != j} A_ij v_i v_j] with A the propagated pulse, so
    // Var_v m_v = (1/N^2) sum_{i != j} (A_ij^2 + A_ij A_ji) ~ |A v|^2 / N^2 once the off-diagonal part
    // dominates (t >~ 3 here). Measured with one trajectory and 64 directions: ratio 0.98-1.01 over
    // t in [4, 10]; a standard deviation from 64 samples scatters by ~9%. Over GDMFT_TEST_SEED_OFFSET 1-16 the
    // smallest ratio over t in [4, 10] was 0.90 +- 0.08 (min 0.68: the former [0.75, 1.25] failed at offset 16)
    // and the largest 1.03 +- 0.09 (max 1.20); bounds [0.5, 1.45], 4.5 sd beyond each.
    ModelParams p;
    PulseOptions o;
    o.N = 300, o.realizations = 1, o.directions = 64, o.seed = gdmft_test::seed(1);
    o.t_burn = 40, o.horizon = 10, o.sample_dt = 1;
    const PulseResult r = pulse_response(p, o);
    REQUIRE(r.stderr_over == "directions");
    for (std::size_t k = 4; k < r.t.size(); ++k) {
        CAPTURE(r.t[k]);
        CHECK(r.m_stderr[k] / r.noise_floor[k] > 0.5);
        CHECK(r.m_stderr[k] / r.noise_floor[k] < 1.45);
    }
}

TEST_CASE("gdmft memory: bad input exits 2 naming the flag; --out and --json carry the comparison") {
    const std::string small = "--N 40 --realizations 2 --directions 2 --t-burn 5 --horizon 3 --quiet";
    auto expect_bad = [&](const std::string& args, const std::string& flag) {
        CAPTURE(args);
        const Run r = memory(small + " " + args);
        CHECK(r.code == 2);
        CHECK(r.err.find(flag) != std::string::npos);
        CHECK(r.err.find("bad input") != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.out.empty());
    };
    expect_bad("--directions -1", "--directions");
    expect_bad("--directions 0", "--directions");
    expect_bad("--horizon 0", "--horizon");
    expect_bad("--horizon -2", "--horizon");
    expect_bad("--t-burn -1", "--t-burn");
    expect_bad("--dt 0", "--dt");
    expect_bad("--realizations 0", "--realizations");
    expect_bad("--eps -1e-3", "--eps");
    expect_bad("--alpha-z 2 --drive-amp-z 1 --drive-rise 0", "--drive-rise");
    expect_bad("--alpha-z 2 --drive-amp-z 1 --drive-t-on 3 --drive-t-off 2", "--drive-t-off");
    expect_bad("--alpha-z 2 --drive-amp-z nan", "--drive-amp-z");
    expect_bad("--drive-amp-z 1", "--drive-amp-z");        // alpha_z = 0: the update gate is constant
    expect_bad("--alpha-z 2 --drive-amp-r -1", "--drive-amp-r");  // alpha_r = 0
    expect_bad("--readout-at 5", "--readout-at");          // beyond the horizon
    expect_bad("--alpha-z 2 --dmft-method gaussian", "--dmft-method");

    const fs::path dir = scratch() / "out";
    const Run ok = memory(small + " --json --no-plot --out " + dir.string());
    REQUIRE(ok.code == 0);
    const auto j = nlohmann::json::parse(ok.out);
    for (const char* key : {"tau_response_sim", "tau_response_dmft", "m0", "rel_l2_diff", "version", "command_line",
                            "seed", "params", "settings", "m_readout", "m_readout_stderr"})
        CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["m0"].get<double>() == doctest::Approx(0.5).epsilon(1e-14));  // sigma_z(0) = 1/2, tau_h = 1
    CHECK(j["dmft"]["method"] == "gaussian");
    CHECK(j["R0_dmft"].get<double>() == doctest::Approx(0.5).epsilon(1e-12));
    const std::string csv = slurp(dir / "response.csv");
    CHECK(csv.find("# command_line:") != std::string::npos);
    CHECK(csv.find("\nt,m_mean,m_stderr,R_dmft,noise_floor\n") != std::string::npos);
    CHECK(slurp(dir / "gates.csv").find("\nt,b_z,b_r,sigma_z_mean,sigma_r_mean,var_h,tangent_norm\n") != std::string::npos);
    // A driven run has no stationary comparison.
    const Run dr = memory(small + " --alpha-z 2 --drive-amp-z 2 --drive-t-on 1 --drive-t-off 2 --json --no-plot");
    REQUIRE(dr.code == 0);
    const auto jd = nlohmann::json::parse(dr.out);
    CHECK(jd["tau_response_dmft"].is_null());
    CHECK(jd["drive_active"] == true);
}
