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
    Progress::set_quiet(true);
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

    // Tolerance: 3 standard errors of the simulation (over the 4 networks) plus 3% of R for the DMFT's own
    // sampling error. At these DMFT settings R from seeds 1, 2, 3 spreads by 1.3% at t = 0 (R(0) = <sigma_z>),
    // 0.2-1.1% for t in [1, 4] and 1.9-3.3% for t in [6, 12]; a reference solve with 1000 paths and dt 0.05
    // lies inside that spread. Measured: the largest |m - R| is 0.2 of this tolerance (0.36 of a tolerance
    // with 1% of R). Finite-size effects are not resolved at N = 1000 here (the N = 1000, 8-network run in
    // the README agrees within 1.2 standard errors for t <= 10).
    double worst = 0;
    for (std::size_t k = 0; k < r.t.size(); ++k) {
        const double R = interpolate(dm.tau, dm.R, r.t[k]);
        const double tol = 3 * r.m_stderr[k] + 0.03 * R;
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
    CHECK(r.mean.m[k10] > scs + 4 * r.m_stderr[k10]);
    CHECK(interpolate(dm.tau, dm.R, r.t[k10]) > 2 * scs);
}

TEST_CASE("reset: a drive opening the update gate erases the trace held at alpha_z = 10") {
    Progress::set_quiet(true);
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
    // The held trace is resolved:
    CHECK(h.mean > 10 * h.stderr_);
    // The reset readout is consistent with zero, and the trace is down by at least a factor 4 at two
    // standard errors.
    CHECK(std::abs(e.mean) < 3 * e.stderr_);
    CHECK(std::abs(e.mean) + 2 * e.stderr_ < h.mean / 4);
}
