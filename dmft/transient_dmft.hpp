#pragma once
// The transient (two-time) DMFT with a time-dependent gate input (THEORY.md 2 and 3: reset).
//
// On the time grid t_k = t_start + k dt the single site is
//   tau_h dh/dt = sigma_z(z) [ -h + eta_h + I ],  tau_z dz/dt = -z + eta_z + b_z(t),  tau_r dr/dt = -r + eta_r + b_r(t)
// with zero-mean Gaussian fields of two-time covariances
//   <eta_z eta_z>(t,t') = g_z^2 C_phi(t,t'),  <eta_r eta_r> = g_r^2 C_phi,  <eta_h eta_h> = g_h^2 C_sr(t,t') C_phi(t,t'),
// C_phi(t,t') = <phi(h(t)) phi(h(t'))> (raw: static parts are part of the covariance), and C_sr(t,t') the
// bivariate Gaussian average of sigma_r over (r(t), r(t')), whose means are the filtered drive and whose
// covariance is the filtered g_r^2 C_phi. The unknown is the two-time C_phi.
//
// METHOD (Eissfeller-Opper on the two-time grid, solved causally). M sample paths; the fields are drawn
// from the covariance by its causal Cholesky factor (numerics/gaussian_process.hpp) with common random
// numbers, h is integrated with the exact exponential step h <- u + e^{-a}(h - u), u = eta_h + I,
// a = sigma_z(z) dt / tau_h (as in dmft/single_site_sampler), z with the exponential integrator for
// inputs linear over a step, and C_phi is measured over the paths. This map is causal: the fields at t_k
// depend on C_phi only at times <= t_k, and h(t_{k+1}) on the fields at times <= t_k. Its fixed point
// (for the given random numbers) is therefore built exactly in one forward sweep ("march"): at step k,
// measure row k of C_phi on the paths, append row k to the factor, draw the fields at t_k, advance the
// paths. No mixing is needed. The map is then applied once more to the whole marched covariance (the
// "batch" form: full factor, fields by matrix products, C_phi by a Gram product), and the relative
// residual |F(C) - C| / |C| is the convergence check (termination Converged when <= tol; with a
// larger residual plain iteration C <- F(C) continues up to max_iterations).
//
// START. The paths start at t_start = -(t_burn + t_before), with no correlation to the fields that
// follow, from either
//  - `stationary` (default): the one-time marginals of the stationary solution (h ~ N(<h>, C_h(0))
//    around the quenched input, z ~ N(b_z, C_z(0)), Var r = C_r(0), r centred on b_r); the burn-in lets
//    the self-consistent process relax to the stationary state, and the part of the reported window
//    before the drive is compared with the stationary solution (pre_drive_* fields of the result); or
//  - `network`: the finite-N simulator's initial state (validation/network: h_i ~ N(0,1), z = r = 0),
//    so that the run predicts a network started at the same time. Where the stationary solver finds no
//    decaying solution (large alpha_z: very slow, possibly ageing dynamics), this is the start to use,
//    with t_burn + t_before equal to the network's burn-in.
//
// WAITING TIMES (network start only). With `aging.waiting_times`, the result also carries
// C_h(t_w + tau, t_w) at those times since the start (t_w = k dt from the first grid row), on log-spaced
// lags (dmft/aging_curves.hpp), and C_h(t, t) against t: the same quantities as the finite-N ageing test
// (validation/aging.hpp). The two-time C_h of the paths is measured on the waiting-time rows only
// (dmft/waiting_time_probe.hpp). On the uniform grid the march costs O(n^2 M) time and O(n^2) memory
// for n = (t_burn + t_before + horizon) / dt rows: a few hundred tau_h at dt = 0.2 (n = 2500: 10 s per
// random set of 2000 paths on one core), about 2000 at dt = 0.5 (n = 4000: 29 s per set, 1 GB). The log
// grid (TwoTimeGrid::Log) reaches 1e4-1e5 tau_h (docs/aging.md).
//
// Statistical errors are standard errors over independent random sets. Paths are processed in fixed
// chunks and reduced in a fixed order: results do not depend on the number of threads.
#include "dmft/aging_curves.hpp"
#include "dmft/gate_drive.hpp"
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

// The two-time grid of the march: `uniform` keeps C_phi(t_k, t_j) at every pair (the causal Cholesky
// factor); `log` keeps a multi-resolution memory of the past (numerics/log_memory.hpp: the `recent`
// latest steps, then means over blocks of 2, 4, 8, ... steps, at most `per_octave` of each size) and
// draws the fields conditionally on it. Cost O(n m M) and memory O(m M) with m ~ recent + per_octave
// log2(n), against O(n^2 M) and O(n^2 + n M): long waiting times (1e4 tau_h and more) become
// affordable. Its draws use matched noise (the fields' path covariance on the memory equals the measured
// C_phi at every step), without which the equal-time variance drifts upwards with time at finite M
// (docs/aging.md). The log grid has no batch-map check (it would need the n x n covariance). A dynamic
// output gate is sampled on the paths there: eta_r is drawn with eta_z from the memory of phi, r is
// filtered on each path, and eta_h comes from a second memory of sigma_r(r) phi(h), whose path
// covariance is g_h^2 C_sr C_phi (the uniform grid averages the gate exactly, dmft/transient_gate_rows).
enum class TwoTimeGrid { Uniform, Log };
std::string to_string(TwoTimeGrid g);
TwoTimeGrid parse_two_time_grid(const std::string& s);  // throws BadInput("grid", ...)

// Grid parameters (kept apart from the solve parameters).
struct TransientGrid {
    double dt = 0.2;        // time step, units of tau_h
    double t_before = 50;   // reported lead-in before the pulse at t = 0
    double horizon = 100;   // reported time after the pulse
    double t_burn = 0;      // burn-in before the reported window (not reported); 0 = automatic
    TwoTimeGrid kind = TwoTimeGrid::Uniform;
    int recent = 32;        // log grid: latest single steps kept
    int per_octave = 8;     // log grid: blocks kept of each size 2, 4, 8, ...
    // log grid: each draw's noise orthogonal on the paths to the kept field blocks, so the fields' path
    // covariance on the memory is exactly the measured C_phi (numerics/log_memory.hpp). Needs at least
    // twice as many paths as memory blocks. false = plain noise, whose finite-M drift docs/aging.md shows.
    bool match_moments = true;
};

enum class TransientStart { Stationary, Network };
std::string to_string(TransientStart s);
TransientStart parse_transient_start(const std::string& s);  // throws BadInput("start", ...)

struct TransientOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    TransientGrid grid;
    TransientStart start = TransientStart::Stationary;
    bool reference = true;   // solve the stationary reference (always, for the stationary start)
    int paths = 2000;        // M sample paths per random set
    int random_sets = 4;     // independent random sets (statistical errors)
    std::uint64_t seed = 1;
    double tol = 1e-6;       // residual of the fixed-point check
    int max_iterations = 5;  // applications of the batch map (1 = check only)
    bool keep_two_time = false;  // also return the two-time C_phi on the reported window
    double pivot_floor = 1e-12;  // relative pivot floor of the causal factor
    double jitter = 1e-6;        // relative nugget of the causal factor (numerics/gaussian_process.hpp)
    // Options of the stationary reference solve (dt is set to grid.dt).
    StationaryOptions stationary;
    // Waiting-time output (start = network): none when aging.waiting_times is empty; max_lag < 0 runs
    // the lags to the end of the grid.
    AgingGrid aging;
    void validate() const;  // throws BadInput naming the option (dt, t_before, horizon, t_burn, paths, ...)
};

struct TransientResult {
    bool converged = false;
    Termination termination = Termination::MaxIterations;
    std::string message;
    int iterations = 0;  // batch-map applications after the march
    double residual = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> residual_history;

    // Grid: reported window t in [-t_before, horizon] (t = 0: the pulse), after a burn-in of t_burn.
    double dt = 0, t_burn = 0;
    std::size_t paths = 0;
    int random_sets = 0;
    std::size_t pulse_index = 0;  // index of t = 0 in t

    // Functions of t on the reported window (mean over random sets; *_err: standard error over sets).
    std::vector<double> t;
    std::vector<double> R, R_err;              // readout R(t, 0) (0 before the pulse)
    std::vector<double> C_h_tt, C_h_tt_err;    // variance of h at time t
    std::vector<double> C_phi_tt;              // variance of phi(h(t))
    std::vector<double> mean_h, mean_sigma_z, mean_sigma_z_err, mean_sigma_r;
    std::vector<double> R_stationary;          // stationary R(t) (t >= 0, NaN beyond its window)
    // The same per random set (for errors of derived quantities such as window averages).
    std::vector<std::vector<double>> set_R, set_C_h_tt, set_mean_sigma_z;

    // Optional (keep_two_time): connected C_phi(t_i, t_j) - <phi(t_i)><phi(t_j)> on the window, row-major.
    std::vector<double> C_phi_two_time;

    // Causal factors: largest clipped weight (relative to the trace) and fraction of kept pivots
    // (uniform grid; NaN on the log grid, whose conditional draws keep every pivot).
    double clipped_weight = 0;
    double active_pivot_fraction = 0;
    TwoTimeGrid grid = TwoTimeGrid::Uniform;
    std::size_t rows = 0;         // grid rows from the start (n)
    std::size_t memory_rows = 0;  // rows kept per step: n on the uniform grid, the most blocks on the log grid
    // Log grid: path variance of the h field over its covariance, mean over the last tenth of the steps
    // and the random sets; 1 up to sampling noise when the march is consistent (NaN on the uniform grid).
    // Above ~1.05 the finite-M drift of docs/aging.md is under way: raise the paths.
    double field_variance_ratio = std::numeric_limits<double>::quiet_NaN();

    // Stationary reference (when solved and converged; has_reference) and the comparison of the
    // pre-drive part of the window with it.
    bool has_reference = false;
    StationaryResult stationary;
    double drive_start = std::numeric_limits<double>::infinity();  // t_on (infinity without a drive)
    double pre_drive_C_h = std::numeric_limits<double>::quiet_NaN();     // mean C_h(t,t) before the drive
    double pre_drive_C_h_err = std::numeric_limits<double>::quiet_NaN();
    double pre_drive_R_max_dev = std::numeric_limits<double>::quiet_NaN();  // max |R - R_stat| / R_stat(0) for 0 <= t < t_on
    double tau_response = std::numeric_limits<double>::quiet_NaN();        // int t R / int R over the horizon

    // Waiting-time output (TransientOptions::aging; empty without waiting times): errors over random sets.
    AgingResult aging;
};

// Time since the start at the last grid row, t_burn + t_before + horizon rounded to the grid (t_burn > 0).
double transient_grid_end(const TransientGrid& g);

// Solves the stationary reference (solve_gaussian for alpha_z = 0, else solve_sampled) when the start
// or o.reference needs it, then the transient.
TransientResult solve_transient(const ModelParams& p, const GateDrive& drive, const TransientOptions& o);
// The same with a given stationary reference (on the same dt; nullptr: none, network start only).
TransientResult solve_transient(const ModelParams& p, const GateDrive& drive, const TransientOptions& o,
                                const StationaryResult* stationary);

namespace detail {
// Coefficients of the exponential integrator for tau x' = -x + u(t) with u linear over a step:
// x(t + dt) = a x(t) + c0 u(t) + c1 u(t + dt).
struct FilterStep {
    double a = 0, c0 = 0, c1 = 1;
    static FilterStep make(double dt, double tau);
};
}  // namespace detail

}  // namespace gdmft
