// Memory and reset at finite N (THEORY.md sections 2 and 3): the pulse response of a gated network against
// the sampled DMFT response kernel R(tau) at a moderate alpha_z, and erasure of the trace by a transient
// drive of the update gate at a large alpha_z.
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "validation/pulse_response.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

double interpolate(const std::vector<double>& x, const std::vector<double>& y, double t) {
    const auto it = std::upper_bound(x.begin(), x.end(), t);
    const std::size_t k = static_cast<std::size_t>(it - x.begin());
    const double w = (t - x[k - 1]) / (x[k] - x[k - 1]);
    return (1 - w) * y[k - 1] + w * y[k];
}

}  // namespace

TEST_CASE("alpha_z = 2: the finite-N pulse response follows the sampled DMFT R(tau) for 0 <= t <= 12") {
    ModelParams p;  // g_h = 3, g_z = 1, tau_z = 1, beta_z = 0
    p.alpha_z = 2;

    // DMFT: sampled single site. The window holds the decay of C - q (the automatic choice lands at ~230).
    StationaryOptions d;
    d.paths = 512, d.random_sets = 2, d.tol = 1e-6, d.seed = gdmft_test::seed(1);
    d.grid.dt = 0.1, d.grid.window = 240;
    const StationaryResult dm = solve_sampled(p, d);
    REQUIRE(dm.converged);

    // Simulation: N = 1000, 4 networks x 16 directions, exact tangent.
    PulseOptions o;
    o.N = 1000, o.realizations = 4, o.directions = 16, o.seed = gdmft_test::seed(1);
    o.t_burn = 150, o.horizon = 12, o.sample_dt = 0.5;  // burn-in: 5 DMFT correlation times (tau_corr ~30)
    const PulseResult r = pulse_response(p, o);

    // Former tolerance: 3 standard errors of the simulation (over the 4 networks) plus 3% of R for the DMFT's
    // own sampling error. At these DMFT settings R from seeds 1, 2, 3 spreads by 1.3% at t = 0 (R(0) = <sigma_z>),
    // 0.2-1.1% for t in [1, 4] and 1.9-3.3% for t in [6, 12]; a reference solve with 1000 paths and dt 0.05
    // lies inside that spread. Measured: the largest |m - R| is 0.2 of this tolerance (0.36 of a tolerance
    // with 1% of R). Finite-size effects are not resolved at N = 1000 here (the N = 1000, 8-network run in
    // the README agrees within 1.2 standard errors for t <= 10).
    // Calibration (GDMFT_TEST_SEED_OFFSET 1-11: both the DMFT's paths and the networks fresh): the largest
    // |m - R| / (3 SE + 0.03 R) over t was 0.46 +- 0.22, max 0.89: a standard error of 4 networks is itself
    // too noisy for a 99.9% bound. Per time (offsets 5-8, 10, 11), m - R had sd 0.0062 at t = 0 (1.3% of R),
    // 0.0030 at t = 1, 0.0016 at t = 3, 0.0011 at t = 6, 0.0007 at t = 10-12, all within
    // sd(t) <= 0.0125 R + 0.0007, and means +0.0011 (t = 0) to -0.0003 (t = 12). The tolerance is a
    // fixed 4.5 x (0.0125 R + 0.0007) + 0.0004 = 0.056 R + 0.0036 (0.06 R + 0.0035 kept): a DMFT R off by
    // 10% at t <= 3 fails; the largest |m - R| measured (same 6 offsets) was 0.39 of it.
    // Re-checked over offsets 1-10 with undamped Anderson in the DMFT solve (and its tail anchors carried):
    // the largest |m - R| / tolerance was 0.25 +- 0.11, max 0.39; m(10) 0.0087 +- 0.0008; R(10) 0.00908 +-
    // 0.00012.
    double worst = 0;
    for (std::size_t k = 0; k < r.t.size(); ++k) {
        const double R = interpolate(dm.tau, dm.R, r.t[k]);
        const double tol = 0.06 * R + 0.0035;
        CAPTURE(r.t[k]);
        CAPTURE(r.mean.m[k]);
        CAPTURE(R);
        CAPTURE(r.m_stderr[k]);
        CHECK(std::abs(r.mean.m[k] - R) <= tol);
        worst = std::max(worst, std::abs(r.mean.m[k] - R) / tol);
    }
    MESSAGE("largest |m - R| / tolerance over 0 <= t <= 12: " << worst);
    // The comparison resolves the gating: at t = 10 the constant-clock kernel 0.5 e^{-5} = 0.0034 is far
    // below both (DMFT ~0.009 here).
    const std::size_t k10 = 20;
    const double scs = 0.5 * std::exp(-0.5 * r.t[k10]);
    MESSAGE("t = 10: m " << r.mean.m[k10] << " +- " << r.m_stderr[k10] << ", DMFT R " << interpolate(dm.tau, dm.R, r.t[k10])
                         << ", constant clock " << scs);
    // Measured m(10) (offsets 1-11): mean 0.0088, sd 0.00084; its standard error over 4 networks 0.0009 +-
    // 0.0004 (the former bound scs + 4 SE failed at offset 1: 0.0081 < 0.0092). Bound scs + 0.0016 = 0.0050,
    // 4.5 sd below the mean. The DMFT R(10): mean 0.00909, sd 0.00013 (bound 2 scs = 0.0067 is 18 sd away).
    CHECK(r.mean.m[k10] > scs + 0.0016);
    CHECK(interpolate(dm.tau, dm.R, r.t[k10]) > 2 * scs);
}

TEST_CASE("reset: a drive opening the update gate erases the trace held at alpha_z = 10") {
    // Same networks, directions and trajectories up to t_on = 4 (shared seeds); then b_z = 2 on [4, 7]
    // (rise and fall 0.5) opens every update gate (<sigma_z> 0.50 -> 0.999), so each unit forgets at rate
    // ~1/tau_h for ~3.5 tau_h. Readout: m averaged over t in [8, 12], per network, then over networks.
    // The drive comes early because the readout's noise floor (|delta h| / sqrt(N x pulses), which the
    // drive does not lower: the perturbation is scrambled across the network, not removed) caps the
    // factor that can be resolved, and the held trace is largest soon after the pulse.
    ModelParams p;
    p.alpha_z = 10;
    PulseOptions o;
    o.N = 300, o.realizations = 24, o.directions = 16, o.seed = gdmft_test::seed(1);
    o.t_burn = 100, o.horizon = 12, o.sample_dt = 0.5;
    const PulseResult held = pulse_response(p, o);
    o.drive.amp_z = 2, o.drive.t_on = 4, o.drive.t_off = 7, o.drive.rise = 0.5;
    const PulseResult reset = pulse_response(p, o);

    auto window_mean = [&](const PulseResult& r) {
        std::vector<double> per_net;
        for (const auto& run : r.runs) {
            double s = 0;
            int n = 0;
            for (std::size_t k = 0; k < r.t.size(); ++k)
                if (r.t[k] >= 8 - 1e-9) s += run.curves.m[k], ++n;
            per_net.push_back(s / n);
        }
        return mean_err(per_net);
    };
    const MeanErr h = window_mean(held), e = window_mean(reset);
    MESSAGE("m over [8, 12]: held " << h.mean << " +- " << h.stderr_ << ", reset " << e.mean << " +- " << e.stderr_);
    // Before the drive the two runs are the same computation.
    CHECK(held.mean.m[8] == reset.mean.m[8]);  // t = 4
    // During the drive the update gates are open.
    CHECK(reset.mean.sigma_z[12] > 0.95);       // t = 6
    CHECK(held.mean.sigma_z[12] < 0.6);
    // Measured (seed 1): held 6.79e-3 +- 0.30e-3, reset 0.13e-3 +- 0.41e-3 (standard errors over the 24
    // networks), a ratio of 0.02 +- 0.06: the reset readout is at the noise floor, and the resolved factor is
    // >= 7 at two standard errors. Single networks (16 directions each) scatter by ~2e-3 after the drive:
    // direction noise of the scrambled perturbation. The transient DMFT (gdmft transient) predicts residues
    // far smaller than this floor, so finite N bounds the factor rather than measuring it.
    // Calibration (GDMFT_TEST_SEED_OFFSET 1-11): held 0.00766 +- 0.00032 (sd over offsets), its standard
    // error 0.00040 +- 0.00007; held / SE 19.4 +- 3.1 (min 14.8). Reset readout: mean 0.00004, sd 0.00047,
    // (reset / its SE: mean 0.12, sd 1.03, max |z| 2.2, as for Student t with 23 degrees of freedom).
    // The held trace is resolved (5 SE: 4.6 sd below the measured ratio; the former 10 SE was 3.0 sd):
    CHECK(h.mean > 5 * h.stderr_);
    // The reset readout is consistent with zero: 4 SE (two-sided t_23 tail 6e-4; the former 3 SE fails 0.6%
    // of fresh samples).
    CHECK(std::abs(e.mean) < 4 * e.stderr_);
    // The trace is down by at least a factor 4: |reset| < held / 4 = 0.0019, 4 sd of the reset readout
    // (the former |reset| + 2 SE < held / 4 failed at one of the 11 offsets).
    CHECK(std::abs(e.mean) < h.mean / 4);
}
