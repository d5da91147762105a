#pragma once
// Theory against simulation: the stationary DMFT of each parameter point compared with finite-N
// networks of several sizes, each averaged over independent realizations.
#include "dmft/stationary.hpp"
#include "numerics/stats.hpp"
#include "validation/simulation.hpp"
#include "numerics/progress.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gdmft::sim {

struct ValidationPoint {
    std::string name;         // short identifier (file names)
    std::string description;  // one line for tables and plots
    ModelParams model;
    // DMFT lag grid for this point (window 0 = the solver's automatic window). Slow points (large
    // alpha_z: correlation times of hundreds of tau_h) need a fixed long window on a coarser step.
    // Empty: use ValidationSettings::dmft.grid.
    std::optional<StationaryGrid> dmft_grid{};
};

// The default set: SCS limit, output-gated, timescale-gated (alpha_z = 5 and 15), and with input.
std::vector<ValidationPoint> default_validation_points();

struct ValidationSettings {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    std::vector<std::size_t> sizes = {500, 1000, 2000, 4000};
    int realizations = 8;
    double t_max = 400, t_burn = 100, dt = 0.1;  // t_max, t_burn: minimum run and burn-in lengths
    // Each point's run is lengthened to at least corr_times DMFT correlation times after a burn-in of
    // burn_corr_times, capped at t_cap; the largest lag is max(50 tau_h, 5 tau_corr), within the run.
    double corr_times = 30, burn_corr_times = 5, t_cap = 4000;
    bool float32 = false;     // single-precision coupling storage in the simulations
    std::uint64_t seed = 1;
    StationaryOptions dmft;   // method chosen per point: gaussian if alpha_z = 0, else sampled
    bool dmft_grid_given = false;  // dmft.grid set by the user: overrides the points' own grids
    void validate() const;    // throws BadInput naming the option
};

// One compared quantity at one size.
struct ComparisonRow {
    std::string point, quantity;
    std::size_t N = 0;
    int realizations = 0;
    double dmft = 0;
    MeanErr sim;              // mean over realizations, standard error, realization spread
    double rel_diff = 0;      // (sim mean - dmft) / dmft
    double z_score = 0;       // (sim mean - dmft) / stderr
};

struct SizeCurves {
    std::size_t N = 0;
    std::vector<double> C_h, C_h_err;  // realization mean and standard error, on the DMFT lag grid
};

struct PointComparison {
    ValidationPoint point;
    StationaryResult theory;
    std::vector<SizeCurves> curves;
    std::vector<double> tau;            // lag grid of the curves (the simulation's sampling grid)
    std::vector<double> C_h_dmft;       // DMFT C_h interpolated onto `tau`
    double t_max = 0, t_burn = 0, max_lag = 0;  // the simulation grid used at this point
};

struct ValidationResult {
    std::vector<PointComparison> points;
    std::vector<ComparisonRow> rows;
};

// Runs the DMFT and the simulations for every point (progress on stderr). `on_point` is called after
// each point so that callers can write partial results.
ValidationResult run_validation(const std::vector<ValidationPoint>& points, const ValidationSettings& s,
                                const std::function<void(const ValidationResult&)>& on_point = {});

}  // namespace gdmft::sim
