#include "numerics/tail_form.hpp"

#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <algorithm>
#include <cmath>

namespace gdmft {

namespace {

constexpr std::size_t kMinPoints = 6;  // below this: "unresolved"
constexpr double kMinSpan = 3.0;       // least factor in lag over the fit range
constexpr double kHalfDecade = 3.1622776601683795;
constexpr double kDriftSigmas = 3.0;   // a drift beyond this many sd
constexpr double kDriftRatio = 0.05;   // and beyond 5% in slope is a bend

// The tail bends: the halves' slopes differ beyond kDriftSigmas sd and by more than kDriftRatio (a
// deterministic solution resolves a 1% change at 10 sd; that is no bend worth a word).
bool bends(const TailForm& t) {
    return std::abs(t.drift_sigmas) > kDriftSigmas && std::abs(t.drift_ratio - 1) > kDriftRatio;
}

// Weighted straight line y = a + b x: slope, its variance from the fit covariance (errors as given)
// and the total chi2.
struct Line {
    double a = 0, b = 0, var_b = 0, chi2 = 0;
};

Line fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w) {
    double S = 0, Sx = 0, Sy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        S += w[i];
        Sx += w[i] * x[i];
        Sy += w[i] * y[i];
    }
    const double xm = Sx / S, ym = Sy / S;
    double Sxx = 0, Sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        Sxx += w[i] * (x[i] - xm) * (x[i] - xm);
        Sxy += w[i] * (x[i] - xm) * (y[i] - ym);
    }
    Line l;
    l.b = Sxy / Sxx;
    l.a = ym - l.b * xm;
    l.var_b = 1 / Sxx;
    for (std::size_t i = 0; i < x.size(); ++i) l.chi2 += w[i] * std::pow(y[i] - l.a - l.b * x[i], 2);
    return l;
}

// ln D = a + b x with weights (D_w / e)^2, the inverse variance of ln D: D_w the observed D for a first
// fit, then the fitted line (twice), so that lags where noise lifted D gain no weight (with the observed
// D as weight the tail came out heavier by 0.7 sd at a noise floor near 0.5% of D(0)). The weights are
// left in w.
Line fit_form(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& e,
              std::vector<double>& w) {
    w.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) w[i] = std::exp(2 * y[i]) / (e[i] * e[i]);
    Line l = fit_line(x, y, w);
    for (int it = 0; it < 2; ++it) {
        for (std::size_t i = 0; i < x.size(); ++i) w[i] = std::exp(2 * (l.a + l.b * x[i])) / (e[i] * e[i]);
        l = fit_line(x, y, w);
    }
    return l;
}

// About n lags log-spaced over [tau[k0], tau[k1]] (k0 < k1, tau[k0] > 0): the nearest grid lag (in ln
// tau) to each target, in increasing order, without duplicates.
std::vector<std::size_t> log_spaced(const std::vector<double>& tau, std::size_t k0, std::size_t k1, std::size_t n) {
    std::vector<std::size_t> idx;
    const double l0 = std::log(tau[k0]), l1 = std::log(tau[k1]);
    std::size_t k = k0;
    for (std::size_t j = 0; j < n; ++j) {
        const double target = l0 + (l1 - l0) * double(j) / double(n - 1);
        while (k < k1 && std::log(tau[k + 1]) <= target) ++k;
        std::size_t pick = k;
        if (k < k1 && std::log(tau[k + 1]) - target < target - std::log(tau[k])) pick = k + 1;
        if (idx.empty() || pick > idx.back()) idx.push_back(pick);
    }
    return idx;
}

void check_input(const std::vector<double>& tau, const std::vector<double>& C, double plateau,
                 const std::vector<double>& C_err) {
    if (tau.size() != C.size())
        throw BadInput("C", "must have one value per lag (" + std::to_string(C.size()) + " values, " +
                                std::to_string(tau.size()) + " lags)");
    if (tau.size() < 2) throw BadInput("tau", "need at least 2 lags, got " + std::to_string(tau.size()));
    if (!C_err.empty() && C_err.size() != tau.size())
        throw BadInput("C_err", "must be empty or have one error per lag (" + std::to_string(C_err.size()) +
                                    " errors, " + std::to_string(tau.size()) + " lags)");
    for (std::size_t k = 0; k < tau.size(); ++k) {
        if (!std::isfinite(tau[k])) throw BadInput("tau", "lag " + std::to_string(k) + " is not finite");
        if (!std::isfinite(C[k])) throw BadInput("C", "value " + std::to_string(k) + " is not finite");
        if (!C_err.empty() && !(std::isfinite(C_err[k]) && C_err[k] >= 0))
            throw BadInput("C_err", "error " + std::to_string(k) + " must be finite and >= 0");
    }
    if (tau[0] < 0) throw BadInput("tau", "lags must be >= 0");
    for (std::size_t k = 1; k < tau.size(); ++k)
        if (!(tau[k] > tau[k - 1])) throw BadInput("tau", "lags must increase (lag " + std::to_string(k) + ")");
    if (!std::isfinite(plateau)) throw BadInput("plateau", "must be finite");
}

// "lags 8.5-60 (factor 7.06, 40 points" (the caller closes the parenthesis).
std::string lag_range(const TailForm& t) {
    return "lags " + fmt("%.3g", t.fit_from) + "-" + fmt("%.3g", t.fit_to) + " (factor " +
           fmt("%.3g", t.fit_to / t.fit_from) + ", " + std::to_string(t.fit_points) + " points";
}

}  // namespace

void TailFormOptions::validate() const {
    if (!(from_level > 0 && from_level < 1)) throw BadInput("tail.from_level", "must be in (0, 1)");
    if (!(min_level > 0 && min_level < from_level)) throw BadInput("tail.min_level", "must be in (0, from_level)");
    if (!(std::isfinite(noise_sigmas) && noise_sigmas >= 0)) throw BadInput("tail.noise_sigmas", "must be >= 0");
    if (points < kMinPoints) throw BadInput("tail.points", "must be >= " + std::to_string(kMinPoints));
    if (!(std::isfinite(decisive_chi2) && decisive_chi2 > 0)) throw BadInput("tail.decisive_chi2", "must be > 0");
}

TailForm fit_tail_form(const std::vector<double>& tau, const std::vector<double>& C, double plateau,
                       const std::vector<double>& C_err, const TailFormOptions& o) {
    o.validate();
    check_input(tau, C, plateau, C_err);
    const std::size_t n = tau.size();
    std::vector<double> D(n);
    for (std::size_t k = 0; k < n; ++k) D[k] = C[k] - plateau;
    const double D0 = D[0];

    TailForm t;
    if (!(D0 > 0)) {
        t.evidence = "no connected fluctuation: D(0) = C(0) - plateau = " + fmt("%.3g", D0) + " is not positive";
        return t;
    }
    t.level_at_end = D.back() / D0;
    t.decayed = std::any_of(D.begin(), D.end(), [&](double d) { return d <= D0 / std::exp(1.0); });
    std::string window_note;
    if (!t.decayed) {
        t.tau_corr_lower_bound = tau.back();
        window_note = "D stays above D(0)/e up to the window end " + fmt("%.4g", tau.back()) + " (D/D(0) = " +
                      fmt("%.3g", t.level_at_end) + " there), so tau_corr > " + fmt("%.4g", tau.back()) + "; ";
    }

    const auto k0_it = std::find_if(D.begin() + 1, D.end(), [&](double d) { return d <= o.from_level * D0; });
    if (k0_it == D.end()) {
        t.evidence = window_note + "no lag has D <= " + fmt("%.3g", o.from_level) + " D(0): no tail to fit";
        return t;
    }
    const std::size_t k0 = static_cast<std::size_t>(k0_it - D.begin());
    const bool have_err = !C_err.empty();
    t.errors_from = have_err ? "per-lag errors" : "fit residuals";
    const double err_min = 1e-12 * D0;

    // Absolute error of D at lag k: C_err, or the fitted constant sigma (0 before the first fit).
    double sigma = 0;
    auto err = [&](std::size_t k) { return std::max(have_err ? C_err[k] : sigma, err_min); };
    std::vector<std::size_t> idx;
    std::vector<double> xe, xp, y, e;  // the sampled lags: tau, ln tau, ln D and the error of D
    std::vector<double> we, wp;        // the weights of each fit
    Line le, lp;
    std::size_t k_end = 0;  // one past the last lag above the floor
    for (int pass = 0; pass < 8; ++pass) {
        std::size_t k1 = k0;
        const bool floor_known = have_err || pass > 0;
        while (k1 < n && D[k1] > std::max(o.min_level * D0, floor_known ? o.noise_sigmas * err(k1) : 0.0)) ++k1;
        if (pass > 0 && k1 == k_end) break;
        k_end = k1;
        idx = k1 >= k0 + 2 ? log_spaced(tau, k0, k1 - 1, o.points) : std::vector<std::size_t>{};
        if (idx.size() < kMinPoints || tau[idx.back()] < kMinSpan * tau[idx.front()]) break;
        xe.clear(), xp.clear(), y.clear(), e.clear();
        for (std::size_t k : idx) {
            xe.push_back(tau[k]);
            xp.push_back(std::log(tau[k]));
            y.push_back(std::log(D[k]));
            e.push_back(have_err ? err(k) : 1.0);  // sigma = 1 until fitted
        }
        le = fit_form(xe, y, e, we);
        lp = fit_form(xp, y, e, wp);
        if (have_err) break;
        // sigma^2: the mean squared residual of every lag in the range about the better fit (not only the
        // sampled ones: ~40 points would leave the error bars Student-t with 38 dof, |pull| > 4.5 at
        // 8e-5 instead of 7e-6); both fits rescaled to it.
        const bool exp_better = le.chi2 <= lp.chi2;
        const Line& better = exp_better ? le : lp;
        double ss = 0;
        for (std::size_t k = k0; k < k_end; ++k) {
            const double x = exp_better ? tau[k] : std::log(tau[k]);
            ss += std::pow(D[k] - std::exp(better.a + better.b * x), 2);
        }
        sigma = std::max(std::sqrt(ss / double(k_end - k0 - 2)), err_min);
        for (auto [l, w] : {std::pair{&le, &we}, std::pair{&lp, &wp}}) {
            l->chi2 /= sigma * sigma;
            l->var_b *= sigma * sigma;
            for (double& wi : *w) wi /= sigma * sigma;
        }
    }

    if (!idx.empty()) {
        t.fit_from = tau[idx.front()];
        t.fit_to = tau[idx.back()];
        t.fit_points = idx.size();
    }
    const std::string floor_word = have_err ? "the noise floor" : "the floor";
    if (idx.size() < kMinPoints || tau[idx.back()] < kMinSpan * tau[idx.front()]) {
        t.evidence = window_note + "too short a tail above " + floor_word + " (" +
                     (idx.empty() ? std::string("D is at the floor where it first falls to ") +
                                        fmt("%.3g", o.from_level) + " D(0)"
                                  : lag_range(t) + ")") +
                     "): need " + std::to_string(kMinPoints) + " points over a factor " + fmt("%g", kMinSpan) +
                     " in lag";
        t.errors_from.clear();
        return t;
    }

    const double dof = double(idx.size() - 2);
    t.chi2_exp = le.chi2 / dof;
    t.chi2_power = lp.chi2 / dof;
    const double se = std::sqrt(le.var_b * std::max(1.0, t.chi2_exp));
    const double sp = std::sqrt(lp.var_b * std::max(1.0, t.chi2_power));
    const std::string over = " over " + lag_range(t) + ", D/D(0) " + fmt("%.3g", D[idx.front()] / D0) + " to " +
                             fmt("%.3g", D[idx.back()] / D0) + "; errors from " + t.errors_from + ")";
    if (!(le.b < 0 && lp.b < 0)) {
        t.evidence = window_note + "D does not decrease" + over;
        return t;
    }
    t.exp_time = -1 / le.b;
    t.exp_time_err = se / (le.b * le.b);
    t.power_exponent = -lp.b;
    t.power_exponent_err = sp;

    // Decision: the chi2 difference in units of the better fit's chi2/dof when that exceeds 1.
    const double best = std::min(t.chi2_exp, t.chi2_power);
    const double delta = (lp.chi2 - le.chi2) / std::max(1.0, best);
    const std::string ce = fmt("%.2g", t.chi2_exp), cp = fmt("%.2g", t.chi2_power);
    std::string s;
    if (delta > o.decisive_chi2) {
        t.form = "exponential";
        s = "ln D is straight in tau (chi2/dof " + ce + ") and curved in ln tau (chi2/dof " + cp + ")";
    } else if (delta < -o.decisive_chi2) {
        t.form = "power_law";
        s = "ln D is straight in ln tau (chi2/dof " + cp + ") and curved in tau (chi2/dof " + ce + ")";
    } else {
        t.form = "ambiguous";
        s = "ln D is about as straight in tau (chi2/dof " + ce + ") as in ln tau (chi2/dof " + cp +
            "): chi2 difference " + fmt("%.3g", std::abs(delta)) + " < " + fmt("%g", o.decisive_chi2);
    }
    s += over;
    // chi2/dof of a fit within errors: below 1 + 3 sd of chi2/dof (sd sqrt(2/dof)).
    if (have_err && best > 1 + 3 * std::sqrt(2 / dof))
        s += "; neither form fits within the errors (the errors above are scaled by sqrt(chi2/dof))";
    if (t.fit_to < kHalfDecade * t.fit_from)
        s += "; the range spans less than half a decade in lag, too little to tell a heavy tail from an exponential";

    // Drift: the better form fitted on the early and on the late half of the sampled lags.
    const bool use_exp = t.form == "exponential" || (t.form == "ambiguous" && t.chi2_exp <= t.chi2_power);
    const std::vector<double>& x = use_exp ? xe : xp;
    const std::size_t h = idx.size() / 2, late = idx.size() - h;
    auto half = [&](std::size_t from) {
        auto part = [&](const std::vector<double>& v) {
            return std::vector<double>(v.begin() + std::ptrdiff_t(from), v.begin() + std::ptrdiff_t(from + h));
        };
        return fit_line(part(x), part(y), part(use_exp ? we : wp));
    };
    const Line early_fit = half(0), late_fit = half(late);
    // Each half's slope error scaled by its own sqrt(chi2/dof) when above 1 (a half is less curved than
    // the whole, so the whole range's misfit would hide the bend).
    auto var = [&](const Line& l) { return l.var_b * std::max(1.0, l.chi2 / double(h - 2)); };
    t.drift_sigmas = (early_fit.b - late_fit.b) / std::sqrt(var(early_fit) + var(late_fit));
    t.drift_ratio = late_fit.b / early_fit.b;
    if (bends(t)) {
        auto time = [](double b) { return b < 0 ? fmt("%.3g", -1 / b) : std::string("inf"); };
        const std::string by = " between the halves of the range (" + fmt("%.1f", t.drift_sigmas) + " sd)";
        if (use_exp)
            s += "; the e-folding time goes from " + time(early_fit.b) + " to " + time(late_fit.b) + by +
                 (t.drift_sigmas > 0
                      ? ": faster than exponential further out"
                      : ": heavier than one exponential further out (a slower component or a power law)");
        else
            s += "; the exponent goes from " + fmt("%.3g", -early_fit.b) + " to " + fmt("%.3g", -late_fit.b) + by +
                 (t.drift_sigmas > 0 ? ": lighter than a power law further out (a sum of exponentials, a stretched "
                                       "exponential or a cutoff)"
                                     : ": heavier than a power law further out");
    }
    t.evidence = window_note + s;
    return t;
}

std::string tail_summary(const TailForm& t) {
    const std::string time = "time " + fmt("%.4g", t.exp_time) + " +- " + fmt("%.2g", t.exp_time_err);
    const std::string expo = "exponent " + fmt("%.4g", t.power_exponent) + " +- " + fmt("%.2g", t.power_exponent_err);
    if (t.form == "unresolved") return "unresolved: " + t.evidence;
    std::string s = t.form;
    if (t.form == "exponential") s += ", " + time;
    if (t.form == "power_law") s += ", " + expo;
    if (t.form == "ambiguous") s += ", " + time + " or " + expo;
    s += " (lags " + fmt("%.3g", t.fit_from) + "-" + fmt("%.3g", t.fit_to) + ")";
    if (bends(t))
        s += ", " + std::string(t.drift_sigmas > 0 ? "steepens" : "flattens") + " further out (slope x" +
             fmt("%.2f", t.drift_ratio) + ", " + fmt("%.1f", t.drift_sigmas) + " sd)";
    if (std::isfinite(t.tau_corr_lower_bound)) s += ", tau_corr > " + fmt("%.4g", t.tau_corr_lower_bound);
    return s;
}

}  // namespace gdmft
