#pragma once
// A finite-N simulation run: options (with validate()), one realization (one network), and the mean over
// independent realizations with standard errors.
#include "dmft/model.hpp"
#include "numerics/stats.hpp"
#include "numerics/tail_form.hpp"
#include "validation/integrator.hpp"
#include "validation/lyapunov.hpp"
#include "validation/measurements.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gdmft::sim {

struct SimulationOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    // Network
    std::size_t N = 1000;
    std::uint64_t seed = 1;      // realization k uses derive_seed(seed, k)
    int realizations = 1;
    int trajectories = 1;        // M trajectories of the same network, advanced together
    bool single_precision = false;
    bool track_gates = false;    // simulate z and r even when constant (gives C_z, C_r)
    // Time grid
    double t_max = 500, t_burn = 100;
    double sample_dt = 0.1;      // RK4: rounded to a whole number of steps
    double max_lag = -1;         // < 0: min(50 tau_h, (t_max - t_burn)/2)
    IntegratorOptions integrator;
    // Measurements
    double record_mb = 256;      // memory for recorded time series (all variables, all trajectories)
    int hist_bins = 50;
    // Lyapunov exponents (0: none). Tangents start at t_burn/2 and accumulate over [t_burn, t_max].
    int lyapunov_k = 0;
    double renorm_interval = 1.0;  // time between QR re-orthonormalisations (rounded to samples)
    int lyapunov_blocks = 10;

    // Throws BadInput naming the option (underscore form) and the rule.
    void validate() const;
};

struct RealizationResult {
    std::uint64_t seed = 0;
    Measured m;
    double tau_corr = 0;
    LyapunovSpectrum lyapunov;    // empty unless lyapunov_k > 0 (mean over trajectories)
    double kaplan_yorke = 0;
    std::size_t steps = 0, rejected = 0;
    std::size_t units_recorded = 0, state_dim = 0;
    double seconds = 0;
};

struct SimulationResult {
    std::vector<RealizationResult> runs;
    // Means over realizations, with standard errors (zero with one realization).
    MeanErr C_h0, C_phi0, C_r0, C_z0, C_inf_h, mean_sigma_z, participation_ratio, tau_corr_runs;
    double tau_corr = 0;           // from the realization-averaged C_h and C_inf
    // The form of the realization-averaged C_h's tail (numerics/tail_form.hpp), D = C_h - C_inf_h. Per-lag
    // errors: the standard error over realizations with at least tail_min_realizations of them (fewer give
    // too noisy an error per lag), else the noise is estimated from the fit residuals.
    TailForm tail;
    Curves curves;                 // realization-averaged
    std::vector<double> sigma_z_centers, sigma_z_density;
    std::vector<double> lyapunov, lyapunov_stderr;  // realization means; stderr over realizations
                                                    // (or over time blocks with one realization)
    double kaplan_yorke = 0;
    // The grid actually used.
    double sample_dt = 0, max_lag = 0;
    std::size_t n_samples = 0, units_recorded = 0, state_dim = 0;
    double seconds = 0;
};

// Realizations from which the tail fit uses their per-lag standard error (SimulationResult::tail).
inline constexpr std::size_t tail_min_realizations = 5;

// Runs every realization. Throws BadInput for bad options, NumericalFailure if a state becomes
// non-finite (naming the realization and time).
SimulationResult simulate(const ModelParams& p, const SimulationOptions& o);

// One realization with network seed `seed` (simulate() derives it from o.seed).
RealizationResult simulate_one(const ModelParams& p, const SimulationOptions& o, std::uint64_t seed,
                               const std::string& label);

// Whole number of RK4 steps per sample: the sampling interval actually used.
double effective_sample_dt(const SimulationOptions& o);

}  // namespace gdmft::sim
