// The transient (two-time) DMFT against independent references: the exact SCS variance and the
// closed-form response kernel without a drive, the stationary solution of a model with a shifted gate
// bias after a drive step has settled (b_r = B is beta_r -> beta_r - alpha_r B: Gaussian closure; b_z = B
// is beta_z -> beta_z - alpha_z B: sampled solver), the stationary sampled solver without a drive at
// alpha_z != 0, and a reset drive at large alpha_z.
#include "dmft/gate_statistics.hpp"
#include "dmft/transient_dmft.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

// Mean over the window times in [a, b] of one per-set curve, then mean and standard error over sets.
MeanErr window_mean(const TransientResult& r, const std::vector<std::vector<double>>& sets, double a, double b) {
    std::vector<double> v;
    for (const auto& c : sets) {
        double s = 0;
        int n = 0;
        for (std::size_t i = 0; i < r.t.size(); ++i)
            if (r.t[i] >= a - 1e-9 && r.t[i] <= b + 1e-9) s += c[i], ++n;
        v.push_back(s / n);
    }
    return mean_err(v);
}

std::size_t index_of(const TransientResult& r, double t) {
    return static_cast<std::size_t>(std::llround((t - r.t.front()) / r.dt));
}

}  // namespace

TEST_CASE("no drive, SCS g_eff = 2: C_h(t,t) = Delta0 = 1.924805, R(t,0) = (1/2) e^{-t/2} exactly, C_phi(t,t') stationary") {
    ModelParams p;
    p.g_h = 4;  // g_eff = g_h sigma_r(0) = 2; clock sigma_z(0) = 1/2
    TransientOptions o;
    o.grid.dt = 0.2;
    o.grid.t_before = 30;
    o.grid.horizon = 6;
    o.paths = 3000;
    o.random_sets = 6;
    o.keep_two_time = true;
    o.seed = gdmft_test::seed(1);
    const TransientResult r = solve_transient(p, GateDrive{}, o);  // reference: Gaussian closure (exact)
    REQUIRE(r.converged);
    REQUIRE(r.has_reference);
    CHECK(r.residual <= o.tol);
    CHECK(r.clipped_weight < 1e-12);
    // THEORY.md 8: Delta0 = 1.924805 at g_eff = 2 (energy condition). Measured spread: the window average
    // of one set of 3000 paths scatters by ~2.5-3.5% (standard error over 6 sets 1-1.5%); 3 standard errors.
    const MeanErr ch = window_mean(r, r.set_C_h_tt, -30, 6);
    MESSAGE("C_h(t,t) over the window " << ch.mean << " +- " << ch.stderr_ << " (exact 1.924805), burn-in " << r.t_burn);
    CHECK(r.stationary.C_h0 == doctest::Approx(1.924805).epsilon(1e-5));
    // Calibration (GDMFT_TEST_SEED_OFFSET 1-11): the window mean minus Delta0 -0.0049 +- 0.0214 (sd; 1.1%),
    // max |.| 0.036; its standard error over the 6 sets 0.024 +- 0.006 (max 0.035). Six sets give Student t
    // with 5 degrees of freedom, so the former 3 SE passed only 97% of fresh samples, and the bound SE < 2%
    // (0.0385) sat 2.3 sd above the measured SE: both replaced by a fixed tolerance 0.0049 + 4.5 sd = 0.10 (5.2%).
    CHECK(std::abs(ch.mean - 1.924805) <= 0.10);
    // Constant clock: R(t, 0) = (s0/tau_h) e^{-s0 t/tau_h} on every path (the exponential step is exact).
    for (std::size_t i = r.pulse_index; i < r.t.size(); i += 5)
        CHECK(r.R[i] == doctest::Approx(0.5 * std::exp(-0.5 * r.t[i])).epsilon(1e-10));
    for (double s : r.mean_sigma_z) CHECK(s == doctest::Approx(0.5).epsilon(1e-14));
    // Two-time stationarity: C_phi(t, t - tau), averaged over t in the window, against the closure's
    // C_phi(tau) (connected). The scatter of these lag averages between random sets is ~2-3% (one set) at
    // these path counts. Calibration (offsets 1-11), two-time minus closure in units of C_phi(0): mean
    // -0.0016, -0.0020, -0.0043, -0.0086, -0.0143 and sd 0.0038, 0.0042, 0.0077, 0.0161, 0.0297 at tau = 0,
    // 1, 3, 6, 12 (the former 4% for all lags failed at tau = 12 at 2 of 11). Tolerance |mean| + 4.5 sd:
    // 2.0%, 2.1%, 3.9%, 8.1%, 14.8% of C_phi(0) (fewer window times carry the long lags).
    const std::size_t w = r.t.size();
    const double lag_tol[] = {0.020, 0.021, 0.039, 0.081, 0.148};
    int lag_index = 0;
    for (double tau : {0.0, 1.0, 3.0, 6.0, 12.0}) {
        const auto lag = static_cast<std::size_t>(std::llround(tau / o.grid.dt));
        double s = 0;
        int n = 0;
        for (std::size_t i = lag; i < w; ++i) s += r.C_phi_two_time[i * w + (i - lag)], ++n;
        const double ref = r.stationary.C_phi[static_cast<std::size_t>(std::llround(tau / (r.stationary.tau[1] - r.stationary.tau[0])))];
        MESSAGE("C_phi(tau = " << tau << ") two-time " << s / n << ", stationary " << ref);
        CHECK(std::abs(s / n - ref) <= lag_tol[lag_index++] * r.stationary.C_phi[0]);
    }
}

TEST_CASE("a settled step b_r = B is the stationary model with beta_r -> beta_r - alpha_r B (Gaussian closure)") {
    ModelParams p;  // g_h = 3, alpha_z = 0, tau_r = 1
    p.alpha_r = 2;
    const double B = 0.5;
    ModelParams shifted = p;
    shifted.beta_r = p.beta_r - p.alpha_r * B;  // sigma_r(r + B) with beta_r = 0 is sigma_r(r) with beta_r = -1
    StationaryOptions so;
    so.grid.dt = 0.2;
    const StationaryResult before = solve_gaussian(p, so), after = solve_gaussian(shifted, so);
    REQUIRE(before.converged);
    REQUIRE(after.converged);
    TransientOptions o;
    o.grid.dt = 0.2;
    o.grid.t_burn = 40;
    o.grid.t_before = 80;
    o.grid.horizon = 10;
    o.paths = 2000;
    o.random_sets = 4;
    o.seed = gdmft_test::seed(1);
    GateDrive d;
    d.amp_r = B;
    d.t_on = -40;  // rises over [-40, -35], then stays on
    d.t_off = 1e4;
    d.rise = 5;
    const TransientResult r = solve_transient(p, d, o, &before);
    REQUIRE(r.converged);
    CHECK(r.residual <= o.tol);
    // Before the step: the unshifted stationary state (C_h0 = 0.9712). After ~2 correlation times
    // (tau_corr ~ 10): the shifted one (2.2155). Window averages of one set scatter by ~3-5%; 3 SE.
    const MeanErr pre = window_mean(r, r.set_C_h_tt, -80, -41);
    const MeanErr post = window_mean(r, r.set_C_h_tt, -15, 10);
    MESSAGE("C_h before " << pre.mean << " +- " << pre.stderr_ << " (stationary " << before.C_h0 << "), after "
                          << post.mean << " +- " << post.stderr_ << " (shifted stationary " << after.C_h0 << ")");
    // Calibration (GDMFT_TEST_SEED_OFFSET 1-11): before - stationary +0.0078 +- 0.0216 (sd), max |.| 0.045;
    // after - shifted stationary +0.0096 +- 0.0362, max |.| 0.078; the standard error after the step 0.050 +-
    // 0.017 (max 0.088). With 4 sets (Student t, 3 degrees of freedom) the former 3 SE passed ~94% (it failed
    // at offset 5, z = 3.01) and the bound SE < 3% failed at 1 of 11; replaced by fixed tolerances |mean| +
    // 4.5 sd: 0.105 (10.8% of 0.971) and 0.172 (7.8% of 2.2155). The step doubles C_h, so a missing or wrong
    // shift still fails by far.
    CHECK(std::abs(pre.mean - before.C_h0) <= 0.105);
    CHECK(std::abs(post.mean - after.C_h0) <= 0.172);
    CHECK(after.C_h0 > 2 * before.C_h0);  // the step is a large change, not a perturbation
    // <sigma_r(r + B)> with Var r = C_r(0) of the shifted model: deterministic given C_r(t,t), which is
    // measured (its scatter over sets is ~1e-3 relative); 0.3%. Measured (offsets 2-11, 3 times each): sd of
    // the relative deviation 0.066%, max |.| 0.16%; 0.3% is 4.5 sd.
    const double ms_after = gate_mean(shifted.gate_r(), after.C_r0);
    for (double t : {-15.0, 0.0, 10.0})
        MESSAGE("<sigma_r>(" << t << ") " << r.mean_sigma_r[index_of(r, t)] << ", shifted stationary " << ms_after);
    for (double t : {-15.0, 0.0, 10.0}) CHECK(r.mean_sigma_r[index_of(r, t)] == doctest::Approx(ms_after).epsilon(3e-3));
    CHECK(r.mean_sigma_r[index_of(r, -60)] == doctest::Approx(0.5).epsilon(1e-9));  // beta_r = 0, zero-mean r: 1/2
}

TEST_CASE("alpha_z = 2: no drive matches the sampled stationary solution; a settled step b_z = B matches beta_z -> beta_z - alpha_z B") {
    ModelParams shifted;  // the reference model: alpha_z = 2, beta_z = -1
    shifted.alpha_z = 2;
    shifted.beta_z = -1;
    StationaryOptions so;
    so.grid.dt = 0.2;  // the transient's step: both discretise the h step and the clock alike
    so.paths = 1500;
    so.random_sets = 3;
    so.tol = 1e-6;
    // Known weakness of the sampled solver (not a tolerance): at this slow clock (sigma_z(-1) = 0.27) it fails
    // on some random sets. At GDMFT_TEST_SEED_OFFSET 1 and 4 (of 1-11) the automatic window ran away (doubled
    // to 1702-3744 without the tail settling), and fixed windows of 240 or 400 tau_h failed on other sets
    // (residual stuck at 3e-2 in an early stage). So the reference is solved on up to 6 random sets in turn
    // and the first that converges is taken: every converged set is a fresh sample of the same reference
    // (the calibration below used the 9 converged offsets), and with ~2 of 11 failing, all 6 fail with
    // probability ~4e-5. A reference that never converges still fails the test.
    // Since the tail anchors can move (dmft/tail_model.hpp), 2 of offsets 1-10 needed a second set (3 with
    // frozen anchors, same offsets), in 74-267 iterations against 133-404 and windows 73-653 against 73-1547.
    StationaryResult A;
    for (std::uint64_t attempt = 0; attempt < 6 && !A.converged; ++attempt) {
        so.seed = gdmft_test::seed(1) + 100 * attempt;
        A = solve_sampled(shifted, so);
        if (!A.converged) MESSAGE("stationary reference at seed " << so.seed << " did not converge: " << A.message);
    }
    REQUIRE(A.converged);
    MESSAGE("stationary (alpha_z = 2, beta_z = -1): C_h0 " << A.C_h0 << " +- " << A.stat_err << ", <sigma_z> "
                                                            << A.mean_sigma_z << ", tau_corr " << A.tau_corr);
    // Reference errors (not in stat_err): R(tau) of two seeds differs by <= 0.6% for tau <= 12 and
    // <sigma_z> by ~0.1% (measured at 2000 paths). C_h(t,t) averaged over a window of about one correlation
    // time scatters by 6-10% from set to set at 1500 paths (slow self-consistent fluctuations).
    // Calibration (GDMFT_TEST_SEED_OFFSET 1-11; at offsets 1 and 4 the stationary solve A did not converge, see
    // below, so 9 samples): transient minus A, relative, no drive / after the step: <sigma_z> 0.00% +- 0.17% /
    // -0.09% +- 0.32%; C_h(t,t) -2.2% +- 2.0% / -2.3% +- 3.7%; R at t = 0, 1, 2, 4, 8: sd 0.27/0.32%, 0.15/0.21%,
    // 0.14/0.26%, 0.60/0.65%, 2.5/2.8% (means <= 0.23% in magnitude). The former tolerances were multiples of
    // standard errors over 6 sets (Student t, 5 degrees of freedom; the largest |R - ref| reached 0.93 of its
    // tolerance) and SE(C_h) < 6% (measured 2.6-2.9% +- 0.6-1.3%, max 4.8%: 2.5 sd, dropped). Now fixed:
    // |mean| + 4.5 sd: <sigma_z> 1.5%, C_h 11% (no drive) and 19% (after the step), R 1.6%, 1.0%, 1.3%, 3.2%, 13%.
    // Re-checked over offsets 1-10 with movable tail anchors (10 samples): <sigma_z> 0.00% +- 0.35% / -0.10% +-
    // 0.36%; C_h(t,t) -1.8% +- 1.8% / -1.8% +- 3.9%; R sd 0.35/0.36%, 0.21/0.22%, 0.17/0.24%, 0.40/0.67%,
    // 1.5/2.4% (means <= 0.45%). Pooled with the above, every tolerance stays >= 4.4 sd from the mean.
    // Again after the tail anchors were carried between stages and sets (16c68a2), offsets 1-10: <sigma_z>
    // -0.01% +- 0.35% / -0.10% +- 0.35%; C_h(t,t) -1.8% +- 1.9% / -1.8% +- 3.8%; R sd 0.35/0.36%, 0.21/0.22%,
    // 0.16/0.24%, 0.40/0.67%, 1.5/2.4% (means <= 0.45%): the same distribution.
    // Again with undamped Anderson for the reference (offsets 1-10; at one offset its first seed ran out of
    // window and the second converged): <sigma_z> +0.01% +- 0.34% / -0.09% +- 0.36%; C_h(t,t) -2.1% +- 2.0% /
    // -2.0% +- 4.1%; R sd 0.38/0.34%, 0.23/0.20%, 0.16/0.24%, 0.64/0.69%, 2.4/2.6% (means <= 0.66%). Pooled
    // over the four calibrations every tolerance stays >= 4.3 sd from the mean.
    auto check_against_A = [&](const TransientResult& r, double t_from, double t_to, const char* what, double ch_tol) {
        const MeanErr ms = window_mean(r, r.set_mean_sigma_z, t_from, t_to);
        const MeanErr ch = window_mean(r, r.set_C_h_tt, t_from, t_to);
        MESSAGE(std::string(what) << ": <sigma_z> " << ms.mean << " +- " << ms.stderr_ << ", C_h(t,t) " << ch.mean << " +- "
                     << ch.stderr_);
        CHECK(std::abs(ms.mean - A.mean_sigma_z) <= 0.015 * A.mean_sigma_z);
        CHECK(std::abs(ch.mean - A.C_h0) <= ch_tol * A.C_h0);
        const double R_tol[] = {0.016, 0.010, 0.013, 0.032, 0.13};
        int R_index = 0;
        for (double t : {0.0, 1.0, 2.0, 4.0, 8.0}) {
            const std::size_t i = index_of(r, t);
            const double ref = A.R[static_cast<std::size_t>(std::llround(t / 0.2))];
            MESSAGE("  R(" << t << ") " << r.R[i] << " +- " << r.R_err[i] << ", stationary " << ref);
            CHECK(std::abs(r.R[i] - ref) <= R_tol[R_index++] * ref);
        }
    };
    TransientOptions o;
    o.grid.dt = 0.2;
    o.grid.t_before = 20;
    o.grid.horizon = 8;
    o.paths = 1500;
    o.random_sets = 6;
    o.max_iterations = 1;
    o.seed = gdmft_test::seed(1);
    // 1. The reference model itself, no drive, from its stationary marginals.
    const TransientResult r1 = solve_transient(shifted, GateDrive{}, o, &A);
    REQUIRE(r1.converged);
    check_against_A(r1, -20, 8, "no drive", 0.11);
    // 2. The model with beta_z = 0, started like the network (h ~ N(0,1), z = 0), and a step
    //    b_z = 0.5 rising over [-50, -45] that stays on: after it has settled (~2.5 correlation times of
    //    the shifted model, tau_corr ~ 18) the state and the readout are those of the reference model.
    ModelParams p = shifted;
    p.beta_z = 0;
    TransientOptions o2 = o;
    o2.start = TransientStart::Network;
    o2.grid.t_burn = 40;
    o2.grid.t_before = 60;
    o2.seed = gdmft_test::seed(2);  // independent of run 1
    GateDrive d;
    d.amp_z = 0.5;  // sigma_z(z + 0.5) at beta_z = 0 is sigma_z(z) at beta_z = -alpha_z * 0.5 = -1
    d.t_on = -50;
    d.t_off = 1e4;
    d.rise = 5;
    const TransientResult r2 = solve_transient(p, d, o2, nullptr);
    REQUIRE(r2.converged);
    CHECK_FALSE(r2.has_reference);
    // Before the step the clock is that of beta_z = 0: <sigma_z> ~ 0.5 (it is 1/2 at z = 0).
    CHECK(r2.mean_sigma_z[index_of(r2, -55)] == doctest::Approx(0.5).epsilon(0.02));
    check_against_A(r2, -5, 8, "after the step", 0.19);
}

TEST_CASE("reset at alpha_z = 10: opening the update gate for 5 tau_h erases the held trace") {
    ModelParams p;
    p.alpha_z = 10;  // g_h = 3: slow units (sigma_z ~ 0) hold a pulse for long
    TransientOptions o;
    o.start = TransientStart::Network;  // the sampled stationary solver finds no decaying solution here
    o.reference = false;
    o.grid.dt = 0.2;
    o.grid.t_burn = 100;
    o.grid.t_before = 0;
    o.grid.horizon = 60;
    o.paths = 1500;
    o.random_sets = 4;
    o.max_iterations = 1;
    o.seed = gdmft_test::seed(1);
    GateDrive reset;
    reset.amp_z = 1;  // z + 1: sigma_z ~ 1 for z > -0.7
    reset.t_on = 20;
    reset.t_off = 25;
    reset.rise = 1;
    const TransientResult held = solve_transient(p, GateDrive{}, o, nullptr);
    const TransientResult erased = solve_transient(p, reset, o, nullptr);
    REQUIRE(held.converged);
    REQUIRE(erased.converged);
    // Causality with common random numbers: identical until the drive starts.
    for (std::size_t i = 0; i < held.t.size() && held.t[i] < reset.t_on; ++i) CHECK(erased.R[i] == held.R[i]);
    // The readout after the reset, against the held trace: the measured factor at t = 40 and 60 is
    // ~30-50 (the residue is a few paths whose clock stays closed even at z + 1), with errors of
    // ~10% (held) and ~50% (erased). Calibration (GDMFT_TEST_SEED_OFFSET 1-11): factor held / erased at
    // t = 30, 40, 60: log mean 4.34, 4.24, 4.09, log sd 0.22, 0.24, 0.27 (min 53, 47, 39); the former "10
    // beyond 3 standard errors of 4 sets" had its margin 3.1 sd above zero at t = 60. Required now: a factor
    // of at least 15 (exp(log mean - 4.5 log sd) = 28, 23, 18).
    for (double t : {30.0, 40.0, 60.0}) {
        const std::size_t i = index_of(held, t);
        const double f = held.R[i] / erased.R[i];
        MESSAGE("R(" << t << ") held " << held.R[i] << " +- " << held.R_err[i] << ", after reset " << erased.R[i]
                     << " +- " << erased.R_err[i] << ": factor " << f);
        CHECK(erased.R[i] < held.R[i] / 15);
    }
    // During the drive the clock is open: <sigma_z> rises from ~0.5 to > 0.9.
    CHECK(held.mean_sigma_z[index_of(held, 22.5)] < 0.6);
    CHECK(erased.mean_sigma_z[index_of(erased, 22.5)] > 0.9);
}
