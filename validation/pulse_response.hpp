#pragma once
// Finite-N memory experiment (THEORY.md section 3): the response of the network to a small input pulse
// along a random direction, read out along the same direction, with an optional transient gate drive
// (the reset protocol). Times are measured from the pulse at t = 0.
//
// Protocol, per network (realization) and trajectory:
//   1. burn in from t = -t_burn to 0 (the drive, if active before 0, already acts);
//   2. at t = 0 an input pulse eps v delta(t) into the h equation makes h_i jump by
//      eps sigma_z(z_i(0)) v_i / tau_h, with v_i = +-1 (independent signs, `directions` of them);
//   3. readout m(t) = (1/N) sum_i v_i delta h_i(t) / eps up to the horizon.
// With eps = 0 (default) the response is linear: delta x is a tangent column started at
// diag(sigma_z(z(0))/tau_h) v (zero z, r parts), advanced by the exact linearisation of the RK4 step.
// With eps > 0 it is the difference of a perturbed and an unperturbed trajectory (a finite-size check of
// linearity). Averaged over directions and networks, m(t) estimates the mean diagonal response
// (1/N) tr dh(t)/dI(0), which the DMFT predicts to be R(t, 0).
//
// Because v_i^2 = 1, m(0) = (1/N) sum_i sigma_z(z_i(0)) / tau_h exactly, for every single direction.
#include "dmft/gate_drive.hpp"
#include "dmft/model.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gdmft::sim {

struct PulseOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    std::size_t N = 1000;
    std::uint64_t seed = 1;     // realization k uses the network seed derive_seed(seed, k), as simulate does
    int realizations = 4;       // independent networks
    int trajectories = 1;       // independent trajectories per network, advanced together
    int directions = 16;        // pulse directions per trajectory
    double t_burn = 200;        // burn-in before the pulse
    double horizon = 50;        // readout from 0 to horizon
    double dt = 0.05;           // RK4 step
    double sample_dt = 0.1;     // readout interval (rounded to whole RK4 steps)
    double eps = 0;             // 0: exact linear response (tangent); > 0: finite pulse size
    GateDrive drive;            // gate input b_z(t), b_r(t) (inactive by default)
    bool single_precision = false;

    // Throws BadInput naming the option (underscore form) and the rule.
    void validate() const;
};

// Curves on the sample grid t = 0, sample_dt, ..., (one value per sample).
struct PulseCurves {
    std::vector<double> m;             // readout, mean over trajectories and directions
    std::vector<double> sigma_z;       // mean over units (and trajectories) of sigma_z(z_i(t))
    std::vector<double> sigma_r;       // mean of sigma_r(r_i(t))
    std::vector<double> var_h;         // population variance of h over units
    std::vector<double> tangent_norm;  // sqrt(|delta h|^2 / N) / eps, rms over pulses: growth in chaos
};

struct PulseRealization {
    std::uint64_t seed = 0;
    PulseCurves curves;
    std::vector<std::vector<double>> m_trajectory;  // per trajectory, mean over its directions
    double mean_sigma_z0 = 0;  // (1/N) sum sigma_z(z_i(0)), mean over trajectories
    double m0_max_dev = 0;     // max over directions |m_k(0) - mean_sigma_z0_traj / tau_h|
    std::size_t steps = 0, state_dim = 0;
    double seconds = 0;
};

struct PulseResult {
    std::vector<double> t;
    std::vector<double> b_z, b_r;      // the drive on the grid
    PulseCurves mean;                  // means over realizations
    std::vector<double> m_stderr;      // standard error of mean.m (see stderr_over)
    // Expected standard error of mean.m from the random directions alone: one readout along a +-1
    // direction scatters by ~ |delta h| / N about the trace (its off-diagonal part), so over P pulses
    // the floor is tangent_norm / sqrt(N P). It grows like exp(lambda_max t) in the chaotic phase and
    // limits the comparison with R(t) where R falls to a few times it.
    std::vector<double> noise_floor;
    std::string stderr_over;           // "realizations", "trajectories" or "directions" (the most
                                       // independent level with at least two members)
    std::vector<PulseRealization> runs;
    double mean_sigma_z0 = 0;          // <sigma_z(z(0))> over units, trajectories and networks
    double sample_dt = 0;              // the interval actually used
    std::size_t state_dim = 0;
    double seconds = 0;
};

// Runs every realization. Throws BadInput for bad options (or a drive into a gate that is constant),
// NumericalFailure when a state becomes non-finite or exceeds the bound of the exact dynamics.
PulseResult pulse_response(const ModelParams& p, const PulseOptions& o);

// Helpers on a uniform grid (trapezoid rule), used to summarise readouts.
// int t y / int y over the grid: the mean response time.
double mean_time(const std::vector<double>& t, const std::vector<double>& y);
// sqrt( int (a - b)^2 / int b^2 ) over the first n points.
double rel_l2(const std::vector<double>& t, const std::vector<double>& a, const std::vector<double>& b, std::size_t n);

}  // namespace gdmft::sim
