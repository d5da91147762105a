#pragma once
// The form of a correlation function's tail: exponential (a time, with its error) or power law (an
// exponent, with its error), and whether the 1/e time of the connected part is resolved in the window.
// The one home of tail classification: the stationary DMFT (dmft/stationary.hpp attach_tail_form) and the
// finite-N simulation (validation/simulation.cpp) both call fit_tail_form.
//
// Method, on D(tau) = C(tau) - plateau:
//  - Range. From the first lag where D <= from_level D(0) (past the shoulder, where neither form is
//    expected) to the last lag before D first falls to the floor max(min_level D(0), noise_sigmas err).
//    The range ends at the FIRST such lag: keeping later lags that noise lifted above the floor again
//    would select upward fluctuations and bias the tail towards a heavy one.
//  - Sampling. About `points` lags, log-spaced over the range (the nearest grid lag to each target,
//    duplicates dropped), so that a dense uniform grid does not let the long lags outvote the short ones
//    and a power law gets equal weight per factor in lag.
//  - Fits. ln D linear in tau (exponential, D ~ A exp(-tau/T)) and linear in ln tau (power law,
//    D ~ A tau^-beta), weighted least squares with the error of ln D, err/D. The D in the weights is each
//    fit's own line (a first fit weighted by the observed D, then twice reweighted): weighting by the
//    observed D gives the lags that noise lifted more weight, which made the tail 0.7 sd too heavy at
//    a noise of 0.5% of D(0). With per-lag errors, err is C_err. Without them the error is taken as one
//    unknown constant sigma in D (the noise of an estimated correlation function is about constant in lag
//    beyond the correlation time, Bartlett), and sigma^2 is the mean squared residual about the better
//    fit of every lag in the range (hundreds of lags, so the error bars are not Student-t with ~38 dof);
//    the floor then uses noise_sigmas sigma and the range and fits are redone until the range stops
//    changing. The better fit then has chi2/dof near 1 by construction: without per-lag errors a curved
//    tail (a misfit) counts as noise (it also raises the floor), and only which form is less curved can
//    be told.
//  - Errors. From the fit covariance, times sqrt(chi2/dof) of that fit when chi2/dof > 1 (a misfit or
//    underestimated errors widen the error bar, never narrow it).
//  - Decision. The chi2 difference of the two fits (same data, same number of parameters), divided by
//    the better fit's chi2/dof when that is above 1 (so misfit-dominated residuals, e.g. a deterministic
//    solution with a tiny error floor, are judged by how much better one form is, not by absolute
//    chi2): above decisive_chi2 the smaller chi2 decides, else "ambiguous". The default 25 (likelihood
//    ratio e^12.5) is well above the 9.2 of a decisive 100:1 ratio, because the errors of a measured
//    correlation function are correlated between lags and a diagonal chi2 overstates the evidence.
//  - Drift. One straight line can fit a curved tail well enough to win (two exponentials crossing over
//    in the range look like a power law over a decade). So the better form is fitted again on the early
//    and on the late half of the sampled lags; the slope change in sd is drift_sigmas, the slope ratio
//    drift_ratio, and beyond 3 sd and 5% `evidence` says which way the tail bends. The form itself
//    stays the chi2 decision.
//  - Unresolved: fewer than 6 sampled lags or less than a factor 3 in lag over the range; also when D(0)
//    <= 0 (no connected fluctuation) or D does not decrease over the range. Over less than half a decade
//    in lag a power law is nearly straight in tau too: `evidence` says so.
//  - decayed: D fell to D(0)/e inside the window (the rule of correlation_time, numerics/timescales.hpp);
//    if not, tau_corr_lower_bound is the window end (the 1/e time is beyond it).
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct TailFormOptions {
    double from_level = 0.3;     // the fit starts where D first falls to from_level D(0); in (0, 1)
    double min_level = 1e-3;     // and ends before D first falls to min_level D(0) (or the noise floor)
    double noise_sigmas = 3;     // noise floor: D must stay above noise_sigmas times its error; >= 0
    std::size_t points = 40;     // log-spaced lags sampled in the range; >= 6
    double decisive_chi2 = 25;   // chi2 difference (rescaled as above) that decides the form; > 0
    void validate() const;       // throws BadInput naming the field ("tail.from_level", ...)
};

struct TailForm {
    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    // "exponential", "power_law", "ambiguous" (neither is decisively better: the chi2 difference is below
    // the threshold; both fit within the errors, or, as `evidence` then says, neither does) or
    // "unresolved" (too few points or too small a span above the noise floor; nothing fitted).
    std::string form = "unresolved";
    bool decayed = false;                 // D fell to D(0)/e inside the window
    double tau_corr_lower_bound = nan;    // the window end when not decayed (D(0) > 0), else NaN
    double fit_from = nan, fit_to = nan;  // lag range of the fit
    std::size_t fit_points = 0;           // lags used in the fit
    double exp_time = nan, exp_time_err = nan;              // D ~ A exp(-tau / exp_time)
    double power_exponent = nan, power_exponent_err = nan;  // D ~ A tau^-power_exponent
    double chi2_exp = nan, chi2_power = nan;                // per degree of freedom
    // The better form (the chosen one; for "ambiguous" the smaller chi2) fitted again on the early and on
    // the late half of the sampled lags: (early slope - late slope) of ln D over its combined error, in
    // sd, and late slope / early slope. The tail bends when |drift_sigmas| > 3 and the ratio is off 1 by
    // more than 5%: steepening (> 0; the e-folding time shrinks or the exponent grows further out: for a
    // power law, a sum of exponentials or a cutoff) or flattening (< 0: heavier further out).
    double drift_sigmas = nan, drift_ratio = nan;
    double level_at_end = nan;            // D(tau_max) / D(0)
    std::string errors_from;              // "per-lag errors" (C_err) or "fit residuals"; empty: no fit
    std::string evidence = "not computed";  // one human-readable sentence
};

// tau: increasing lags >= 0, the first (normally 0) giving the reference D(0); C: the correlation at each
// lag; plateau: C(infinity);
// C_err: standard error of C per lag, or empty (then estimated from the fit residuals; a zero error
// counts as 1e-12 D(0)). Throws BadInput naming the argument ("tau", "C", "plateau", "C_err") for
// sizes that differ, fewer than 2 lags, non-finite values, lags that do not increase or negative errors.
TailForm fit_tail_form(const std::vector<double>& tau, const std::vector<double>& C, double plateau,
                       const std::vector<double>& C_err, const TailFormOptions& o = {});

// One line for text output, e.g. "exponential, time 12.3 +- 0.4 (lags 8.5-60)", with "tau_corr > T" when
// D has not decayed to 1/e and "steepens/flattens further out" when the tail bends; for an unresolved
// tail, "unresolved: " and the evidence.
std::string tail_summary(const TailForm& t);

}  // namespace gdmft
