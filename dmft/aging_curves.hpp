#pragma once
// Two-time correlations after a random start (THEORY.md 3, "The slow regime"): C_h(t_w + tau, t_w) at
// several waiting times t_w since the start, and the equal-time variance C_h(t, t) against t. A state
// that ages has statistics that depend on t_w; a stationary one (however slow) does not, once t_w is
// past its relaxation. Shared by the finite-N measurement (validation/aging.hpp) and the transient DMFT
// started like the network (dmft/transient_dmft.hpp, start = network), which report the same result.
//
// Correlations are connected over units (paths): C_h(t, t') = <h(t) h(t')> - <h(t)><h(t')>. The
// normalised correlation C_h(t_w + tau, t_w) / sqrt(C_h(t_w, t_w) C_h(t_w + tau, t_w + tau)) is formed
// per independent sample (network or random set of paths) and then averaged; errors are standard errors
// over those samples.
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

// Where to measure. Names in BadInput are the CLI flags' (waiting_times, max_lag, aging_lags,
// aging_min_lag).
struct AgingGrid {
    std::vector<double> waiting_times;  // t_w since the start, strictly increasing, >= 0
    double max_lag = -1;                // largest lag; < 0: the caller's default
    double min_lag = 0.1;               // smallest nonzero lag (units of tau_h)
    int lags = 30;                      // log-spaced lags in [min_lag, max_lag] (tau = 0 is always added)

    // Checks the rules that do not depend on the time step; `max_lag_given` requires max_lag > 0.
    void validate(bool max_lag_given) const;
    // Throws BadInput("waiting_times", ...) when two waiting times fall on the same step of size `step`.
    void check_step(double step) const;
};

// 0, then `count` values spaced evenly in log between `first` and `last`, each rounded to a whole number
// of steps `step` (at least one step), duplicates dropped: sorted, multiples of step. The lag list of an
// aging run, and the times of its equal-time curve.
std::vector<double> log_step_grid(double first, double last, int count, double step);

// What one independent sample measured: C[w][l] = C_h(t_w + tau_l, t_w), C_end[w][l] =
// C_h(t_w + tau_l, t_w + tau_l) (tau_0 = 0, so C_end[w][0] = C_h(t_w, t_w)), C_tt[i] = C_h(t_i, t_i).
struct AgingSample {
    std::vector<std::vector<double>> C, C_end;
    std::vector<double> C_tt;
};

// Element-wise mean of samples of the same shape (e.g. the trajectories of one network).
AgingSample average(const std::vector<AgingSample>& samples);

struct AgingCurve {
    double t_w = 0;
    std::vector<double> C_h, C_h_err;            // on AgingResult::lags
    std::vector<double> C_h_norm, C_h_norm_err;  // normalised (1 at tau = 0)
};

struct AgingResult {
    std::vector<double> waiting_times;  // as measured (rounded to the time step)
    std::vector<double> lags;           // tau, starting at 0
    std::vector<AgingCurve> curves;     // one per waiting time
    // Equal-time variance against the time since the start ("C_h0 against burn-in").
    std::vector<double> t, C_h_tt, C_h_tt_err;
    // Dependence on t_w: the normalised correlation at the last waiting time minus that at the first,
    // per lag, as the mean and standard error of the paired per-sample differences. max_shift_z is the
    // largest |shift| / error over lags tau > 0 (NaN without errors): values of a few are noise (the
    // lags are correlated), a shift many errors wide and of one sign is ageing.
    std::vector<double> norm_shift, norm_shift_err;
    double max_shift_z = std::numeric_limits<double>::quiet_NaN();
    std::size_t N = 0;         // network size; 0 for the DMFT (N = infinity)
    int networks = 0;          // independent networks (the DMFT: random sets of paths)
    int samples = 0;           // independent samples behind the errors
    std::string samples_over;  // "networks", "trajectories" or "random sets"
    double seconds = 0;        // wall time (NaN for the DMFT, whose run is not timed apart)
    bool empty() const { return curves.empty(); }
};

// Means and standard errors over the samples (errors NaN with a single sample).
AgingResult summarize_aging(const std::vector<double>& waiting_times, const std::vector<double>& lags,
                            const std::vector<double>& times, const std::vector<AgingSample>& samples);

}  // namespace gdmft
