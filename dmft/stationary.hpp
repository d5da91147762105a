#pragma once
// The stationary DMFT (THEORY.md section 2): options and the result struct shared by the Gaussian
// closure (deterministic, alpha_z = 0) and the sampled single-site solver (any alpha_z).
#include "dmft/model.hpp"
#include "numerics/progress.hpp"
#include "numerics/tail_form.hpp"

#include <cstdint>
#include <memory>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct SampledState;  // dmft/sampled_state.hpp
struct StationaryResult;

// Budget: a stated budget (the automatic window's largest window, or the wall-clock limit max_time) ran
// out before the solve settled; the message says which quantity did not settle, with its last values.
enum class Termination { Converged, MaxIterations, Diverged, NotFinite, NoChaoticSolution, Budget };
std::string to_string(Termination t);

// The stationary solvers. Auto: the Gaussian closure when alpha_z = 0 (deterministic, exact for a
// constant clock), else the sampled single-site process. The one place the rule lives is
// resolve_method() (dmft/stationary.cpp).
enum class Method { Auto, Gaussian, Sampled };
std::string to_string(Method m);
Method parse_method(const std::string& s, const std::string& key = "method");  // throws BadInput(key, ...)
// The method that solves model m: `requested` itself, or the rule above for Auto. Throws
// BadInput(key, ...) for the Gaussian closure with alpha_z != 0.
Method resolve_method(const ModelParams& m, Method requested, const std::string& key = "method");

// Routes to lambda_max (THEORY.md 5; dmft/lyapunov.hpp). Auto: the Schrodinger ground state where it
// applies (closure, tau_r = 0 or constant r gate), else the closed-form tangent map (closure) or the
// sampled tangent DMFT (sampled solver); at a stable fixed point, its Jacobian support edge.
enum class LyapunovMethod { Auto, Schrodinger, ClosureTangent, SampledTangent, FixedPoint };
std::string to_string(LyapunovMethod m);
LyapunovMethod parse_lyapunov_method(const std::string& s);  // throws BadInput("lyapunov_method", ...)

// Grid parameters (time window and step) are kept apart from solve parameters (tolerance, mixing, seed).
struct StationaryGrid {
    double dt = 0.0;         // lag / time step, in units of tau_h; 0 = the method's default (below)
    double window = 0.0;     // lag window; 0 = automatic (long enough for C - q to decay)
    // The automatic window's budget: it grows up to this many tau_h and no further (then the solve ends
    // with Termination::Budget at the largest window). 0 = the method's default (sampled: 2000).
    double max_window = 0.0;
};

// The sampled method's default budget of the automatic window, in tau_h.
inline constexpr double sampled_default_max_window = 2000;

// The Gaussian closure's default lag step.
inline constexpr double gaussian_default_dt = 0.05;
// The sampled method's default step (docs/methods.md, item 6 and "Step"). h takes the exact exponential
// step with the drive and the clock held at their values at the step's start, which shifts both by half
// a step alike and leaves the stationary statistics with an O(dt^2) bias:
// - constant clock (alpha_z = 0 or g_z = 0): the noise-free fixed point of the dt-discretised map (SCS,
//   window 200, tail model and taper included) lies +0.0002% / -0.0002% / -0.0011% from the exact Delta0
//   at dt 0.2 for g_eff 1.5 / 2 / 3 (scripts/discrete_map_bias.py);
// - fluctuating clock: on the same drive and clock paths (scripts/step_bias.cpp), C_phi and <h^2> move
//   by less than 3e-5 of C_phi(0) and <h^2> between dt 0.025 and 0.2 wherever the mean clock is <= 0.5; with
//   a fast clock (mean 0.86) and g_h 6 <h^2> moves by 5e-4 of its value, growing as dt^2, 0.3 of the
//   statistical error. Self-consistent solves at dt 0.2 and 0.1 differ by a finite-M effect that
//   halves with every fourfold in paths; against the exact SCS value dt 0.2 is the closer.
// dt 0.2 halves the cost against 0.1.
inline constexpr double sampled_default_dt = 0.2;
// The method's default step (Auto is not a method: throws std::logic_error).
double default_dt(Method m);

struct StationaryOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    Method method = Method::Auto;        // solve_stationary() only; the method functions below are fixed
    StationaryGrid grid;
    double tol = 1e-8;       // residual tolerance (Gaussian: on C_h(0); sampled: on the CRN map)
    int max_iterations = 200;
    // Sampled solver only.
    int paths = 4000;        // M sample paths at the final stage
    int random_sets = 4;     // independent random sets for the statistical error
    // The final stage also stops once the residual is below noise_tol times the map's own sampling
    // noise (relative norm, Bartlett estimate): iterating further moves the fixed point by far less than
    // its statistical error. 0 = iterate to tol.
    double noise_tol = 0.02;
    std::uint64_t seed = 1;
    double max_time = 0;     // wall-clock budget in seconds (sampled solver); 0 = none
    // Sampled solver: a converged solution of a nearby model to start from (sweeps, continuation).
    // Its C_phi and plateau are the first iterate (resampled onto this solve's lags), its window is
    // this solve's first window (automatic window; still checked and enlarged if too short). nullptr =
    // cold start.
    std::shared_ptr<const StationaryResult> warm_start;
    bool lyapunov = false;   // also compute lambda_max (solve_stationary: by lyapunov_method)
    LyapunovMethod lyapunov_method = LyapunovMethod::Auto;
    void validate() const;   // throws BadInput naming the option (a dt of 0 passes: the method fills it)
};

struct StationaryResult {
    bool converged = false;
    Termination termination = Termination::MaxIterations;
    std::string method;      // "gaussian" or "sampled"
    std::string message;     // human-readable termination detail
    int iterations = 0;
    double residual = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> residual_history;
    // The residual the iteration stopped at or below: tol, or (sampled) noise_tol x the map's sampling
    // noise when that is larger (the largest over random sets).
    double residual_target = std::numeric_limits<double>::quiet_NaN();

    // Scalars of INTERFACE.md. Variances are <x^2> - <x>^2 over the single site.
    double C_h0 = NAN_, C_phi0 = NAN_, C_r0 = NAN_, C_z0 = NAN_;
    double mean_h = NAN_, q_h = NAN_, q_phi = NAN_;  // mean and static plateaus C(infinity) - <x>^2
    double tau_corr = NAN_;      // 1/e time of C_h(tau) - C_h(inf)
    double tau_response = NAN_;  // int tau R / int R
    double mean_sigma_z = NAN_;
    double lambda_max = NAN_;    // NaN unless requested
    double stat_err = 0.0;       // statistical error of C_h0 (0 for the deterministic method)
    double zero_mode_eigenvalue = NAN_;  // Schrodinger check (Gaussian closure, tau_r = 0): should be -1

    // Functions of the lag tau >= 0 (all the same length). Raw second moments <x(t)x(t+tau)> - <x>^2.
    std::vector<double> tau, C_h, C_phi, C_r, C_z, C_srphi, R;

    // Sampled solver only: the largest clipped spectral weight of its circulant embeddings (THEORY.md
    // 2.4; significant above ~1e-3), and C_h0 of each independent random set (stat_err is their SE).
    double clipped_weight = 0.0;
    std::vector<double> set_C_h0;
    // Standard error of lambda_max over random sets (sampled routes; NaN for the deterministic ones),
    // and the route that computed it (to_string(LyapunovMethod); empty: not computed).
    double lambda_max_err = std::numeric_limits<double>::quiet_NaN();
    std::string lambda_method;

    // Gaussian closure: a chaotic solution that coexists with a stable fixed point (bistable region);
    // the fixed point's variance Delta_h (NaN when there is none).
    bool coexists_with_stable_fixed_point = false;
    double stable_fixed_point_Delta_h = std::numeric_limits<double>::quiet_NaN();

    // Sampled solver: the converged state of each random set (its single-site fields, grid and seed),
    // which later stages (the tangent DMFT of lyapunov_max) reuse instead of solving again.
    std::shared_ptr<const SampledState> sampled_state;

    // The form of C_h's tail (numerics/tail_form.hpp): D = C_h - q_h, exponential or power law with
    // errors, and whether tau_corr is resolved in the window. Filled by attach_tail_form, which
    // solve_stationary calls for every method.
    TailForm tail;

private:
    static constexpr double NAN_ = std::numeric_limits<double>::quiet_NaN();
};

// Fills r.tail from C_h, q_h and the lag grid. The per-lag error: the Gaussian closure is deterministic, so
// a floor of 1e-6 (C_h0 - q_h) stands for its discretisation; the sampled solver keeps no per-lag error
// (its random sets are averaged), so the noise is estimated from the fit residuals. A result without a
// finite correlation function (a failed solve) gets an unresolved tail whose evidence says why.
void attach_tail_form(StationaryResult& r);

// The method functions; options.method is ignored. With options.lyapunov the closure computes
// lambda_max by the Schrodinger route only (NaN where it does not apply) and the sampled solver by its
// tangent DMFT; solve_stationary (dmft/solve.hpp) picks the route and fills lambda_method.
// Deterministic Gaussian closure (alpha_z = 0): dmft/gaussian_closure.cpp.
StationaryResult solve_gaussian(const ModelParams& m, const StationaryOptions& o);
// Sampled single-site process (Eissfeller-Opper): dmft/sampled_solver.cpp.
StationaryResult solve_sampled(const ModelParams& m, const StationaryOptions& o);

}  // namespace gdmft
