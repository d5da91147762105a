#include "dmft/tangent_dmft.hpp"

#include "dmft/gate_statistics.hpp"
#include "numerics/anderson.hpp"
#include "numerics/format.hpp"
#include "numerics/progress.hpp"
#include "numerics/errors.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

// T_lambda: (A, B) -> (A', B') on the sampled paths of one random set.
class TangentMap {
public:
    TangentMap(const ModelParams& p, SingleSiteSampler& smp, const TangentForward& fwd, std::size_t paths)
        : p_(p), smp_(smp), fwd_(fwd), paths_(paths), n_(smp.grid().n), filt_(n_, smp.grid().dt),
          taper_(detail::window_taper(n_)) {
        if (!p.gate_r().constant()) {
            tf_.r_dyn.resize(n_);
            for (std::size_t k = 0; k < n_; ++k) tf_.r_dyn[k] = (fwd.C_r[k] - fwd.r_plateau) * taper_[k];
            tf_.r_static = fwd.r_plateau;
        }
    }

    TangentMeasurement apply(const std::vector<double>& A, const std::vector<double>& B, double lambda) {
        tf_.xi_h.resize(n_);
        for (std::size_t k = 0; k < n_; ++k) tf_.xi_h[k] = p_.g_h * p_.g_h * B[k] * taper_[k];
        if (!smp_.clock_constant()) tf_.y_z = lowpass(A, p_.g_z * p_.g_z, p_.tau_z, lambda);
        if (!p_.gate_r().constant()) tf_.y_r = lowpass(A, p_.g_r * p_.g_r, p_.tau_r, lambda);
        return smp_.run_tangent(fwd_.fields, tf_, lambda, paths_);
    }

private:
    // Stationary covariance of y for tau y' = -(1 + tau lambda) y + xi, <xi xi> = g2 A:
    // g2 / (1 + tau lambda)^2 times the unit low-pass with time constant tau / (1 + tau lambda).
    std::vector<double> lowpass(const std::vector<double>& A, double g2, double tau, double lambda) {
        std::vector<double> in(n_);
        for (std::size_t k = 0; k < n_; ++k) in[k] = g2 * A[k];
        if (tau == 0) {
            for (std::size_t k = 0; k < n_; ++k) in[k] *= taper_[k];
            return in;
        }
        const double a = 1 + tau * lambda;
        if (!(a > 0)) throw BadInput("lambda", "lambda must exceed -1/tau of every gate (tangent DMFT)");
        std::vector<double> out = filt_.apply(in, 0.0, tau / a);
        for (std::size_t k = 0; k < n_; ++k) out[k] *= taper_[k] / (a * a);
        return out;
    }

    const ModelParams& p_;
    SingleSiteSampler& smp_;
    const TangentForward& fwd_;
    std::size_t paths_, n_;
    LagFilter filt_;
    std::vector<double> taper_;
    TangentFields tf_;
};

struct PowerResult {
    bool converged = false;
    double rho = nan_v;
};

// The spectral radius of T_lambda and its eigenvector, normalised by B(0) = 1: the fixed point of
// x -> T_lambda(x) / T_lambda(x)_B(0), x = (A, B). Plain power iteration converges like (rho_2/rho)^k,
// and near the slow tail modes that ratio is 0.8-0.95 (40-70 applications per lambda at alpha_z = 5);
// Anderson mixing of the normalised iterates (a secant method on the slow directions) needs about 10
// from a cold start and 2-9 from a neighbouring lambda's eigenvector. The mixer's secant history is kept
// from one lambda to the next (forget_point): the maps differ only by lambda.
// Every normalised eigenvector is a fixed point, but the map's outputs are measured covariances (the
// sampler clips negative spectral weight), and on that cone of a positive map the only eigenvector is
// the dominant one (Krein-Rutman): measured, the roots agree with plain power iteration to 6e-6 at
// alpha_z = 5. Every iterate keeps B(0) = 1 (the mixing is affine in iterates that have it). Converged
// when the relative residual |T x / rho - x| / |x| is at most o.power_tol. (A, B) is the warm start on
// entry and the last normalised map output on exit.
PowerResult power_iteration(TangentMap& T, AndersonMixer& mix, std::vector<double>& A, std::vector<double>& B,
                            double lambda, const TangentOptions& o, int& applications) {
    PowerResult r;
    const std::size_t n = A.size();
    mix.forget_point();
    Eigen::VectorXd x(2 * n), g(2 * n);
    for (int k = 0; k < o.max_power; ++k) {
        TangentMeasurement m = T.apply(A, B, lambda);
        ++applications;
        const double rho = m.B[0];
        if (!(rho > 0) || !std::isfinite(rho)) return r;
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = A[i], x[n + i] = B[i];
            g[i] = m.A[i] / rho, g[n + i] = m.B[i] / rho;
        }
        r.rho = rho;
        const double res = (g - x).norm() / x.norm();
        if (res <= o.power_tol) {
            for (std::size_t i = 0; i < n; ++i) A[i] = g[i], B[i] = g[n + i];
            r.converged = true;
            return r;
        }
        Eigen::VectorXd nx = mix.next(x, g);
        if (!nx.allFinite()) nx = g;
        for (std::size_t i = 0; i < n; ++i) A[i] = nx[i], B[i] = nx[n + i];
    }
    if (std::isfinite(r.rho))
        for (std::size_t i = 0; i < n; ++i) A[i] = g[i], B[i] = g[n + i];
    return r;
}

}  // namespace

TangentResult tangent_lambda_max(const ModelParams& p, SingleSiteSampler& smp, const TangentForward& fwd,
                                 const TangentOptions& o) {
    TangentResult res;
    const std::size_t n = smp.grid().n;
    if (fwd.C_phi.size() != n || (!p.gate_r().constant() && fwd.C_r.size() != n))
        throw BadInput("forward", "forward covariances must have n lags (tangent_lambda_max)");
    const std::size_t paths = std::min(smp.max_paths(), (std::max<std::size_t>(o.paths, 8) + 7) / 8 * 8);
    TangentMap T(p, smp, fwd, paths);
    const double unit = p.gate_z().at_zero() / p.tau_h;  // 1 / tau_eff
    const double tol = o.lambda_tol * unit;

    // A cold start begins with the shape of the forward correlation.
    std::vector<double> A(n), B(n);
    auto forward_shape = [&] {
        const double D0 = fwd.C_phi[0] - fwd.phi_plateau;
        for (std::size_t k = 0; k < n; ++k) A[k] = B[k] = D0 > 0 ? (fwd.C_phi[k] - fwd.phi_plateau) / D0 : (k == 0);
    };

    bool power_failed = false;
    std::vector<detail::RhoEvaluation> evaluations;
    AndersonMixer mix(AndersonOptions{.memory = 10, .damping = 1.0, .regularization = 1e-12, .restart_factor = 10.0});
    auto ln_rho = [&](double lambda) {
        const PowerResult pr = power_iteration(T, mix, A, B, lambda, o, res.applications);
        ++res.evaluations;
        if (!pr.converged) power_failed = true;
        evaluations.push_back({lambda, std::log(pr.rho), pr.converged});
        log_line(o.observer, "tangent DMFT: lambda " + fmt("%.6g", lambda) + "  rho " + fmt("%.8g", pr.rho) +
                 (pr.converged ? "" : " (power iteration not converged)"));
        return std::log(pr.rho);
    };

    // ln rho(0) <= 0: lambda_max = 0 (how the search got there in `how`).
    auto no_positive_exponent = [&](double ln_rho0, const std::string& how) {
        res.rho_zero = std::exp(ln_rho0);
        res.lambda_max = 0;
        res.message = "tangent DMFT" + how + ": spectral radius at lambda = 0 is " + fmt("%.6g", res.rho_zero) +
                      " <= 1: no positive exponent (searching lambda < 0 is not supported)";
        return res;
    };

    double la = 0, fa = 0, lb = 0, fb = 0;
    const TangentResult* h = o.hint;
    if (h && !(h->converged && h->lambda_max > 0 && h->A.size() == n && h->B.size() == n)) h = nullptr;
    if (h) {
        // Warm start: from the other set's root and eigenvector, step away from it (doubling the step)
        // until ln rho changes sign; the last two points bracket the root.
        A = h->A;
        B = h->B;
        double lp = h->lambda_max, fp = ln_rho(lp);
        const double f0 = fp;
        double step = std::max(0.25 * h->lambda_max, 4 * tol) * (f0 > 0 ? 1 : -1);
        bool bracketed = false;
        while (std::isfinite(fp) && res.evaluations < o.max_lambda && std::abs(lp) < 20 * unit) {
            const double ln = std::max(0.0, lp + step), fn = ln_rho(ln);
            if (!std::isfinite(fn)) break;
            if ((fn > 0) != (f0 > 0)) {
                if (f0 > 0) la = lp, fa = fp, lb = ln, fb = fn;
                else la = ln, fa = fn, lb = lp, fb = fp;
                bracketed = fa > 0 && fb <= 0;
                break;
            }
            if (ln == 0)  // ln rho(0) <= 0
                return no_positive_exponent(fn, " (warm start at lambda " + fmt("%.6g", h->lambda_max) + ")");
            lp = ln, fp = fn;
            step *= 2;
        }
        if (!bracketed) {
            log_line(o.observer, "tangent DMFT: no bracket from the warm start at lambda " + fmt("%.6g", h->lambda_max) +
                                     "; starting again from lambda = 0");
            h = nullptr;
        }
    }
    if (!h) {  // cold start (or a warm start that found no bracket)
        forward_shape();
        la = 0, fa = ln_rho(0.0);
        res.rho_zero = std::exp(fa);
        if (!std::isfinite(fa)) {
            res.message = "tangent DMFT: the power iteration failed at lambda = 0";
            return res;
        }
        if (!(fa > 0)) return no_positive_exponent(fa, "");
        lb = 0.1 * unit, fb = ln_rho(lb);
        while (std::isfinite(fb) && fb > 0 && lb < 20 * unit && res.evaluations < o.max_lambda) {
            la = lb, fa = fb;
            lb *= 2;
            fb = ln_rho(lb);
        }
        if (!std::isfinite(fb) || fb > 0) {
            res.message = "tangent DMFT: could not bracket the root of ln rho(lambda)";
            return res;
        }
    }
    // Illinois (modified regula falsi) on [la, lb] with fa > 0 > fb.
    double lc = lb;
    while (res.evaluations < o.max_lambda) {
        lc = lb - fb * (lb - la) / (fb - fa);
        const double fc = ln_rho(lc);
        if (!std::isfinite(fc)) {
            res.message = "tangent DMFT: non-finite spectral radius at lambda = " + fmt("%.6g", lc);
            return res;
        }
        const double step = std::min(std::abs(lc - la), std::abs(lc - lb));
        if (fc * fb < 0) {
            la = lb, fa = fb;
        } else {
            fa /= 2;
        }
        lb = lc, fb = fc;
        if (step < tol || std::abs(lb - la) < tol || fc == 0) {
            res.converged = !power_failed || detail::root_pinned(evaluations, tol);
            break;
        }
    }
    res.lambda_max = lc;
    res.A = A;
    res.B = B;
    // Power iterations that did not converge, by lambda.
    std::string unconverged;
    for (const auto& e : evaluations)
        if (!e.converged) unconverged += (unconverged.empty() ? "" : ", ") + fmt("%.4g", e.lambda);
    res.message = "tangent DMFT: lambda_max = " + fmt("%.6g", lc) + " per tau_h (" + fmt("%.6g", lc / unit) +
                  " per tau_eff), " +
                  (std::isfinite(res.rho_zero) ? "rho(0) = " + fmt("%.6g", res.rho_zero)
                                               : "warm start at lambda " + fmt("%.6g", h ? h->lambda_max : nan_v)) +
                  ", " + std::to_string(res.evaluations) +
                  " rho evaluations, " + std::to_string(res.applications) + " map applications on " +
                  std::to_string(paths) + " paths";
    if (!power_failed && !res.converged) res.message += "; lambda not converged";
    if (power_failed)
        res.message += res.converged ? "; the power iteration did not converge at lambda = " + unconverged +
                                           ", away from the root, which converged evaluations pin to within " +
                                           fmt("%.2g", tol)
                                     : "; a power iteration did not converge (lambda = " + unconverged + ")";
    return res;
}

bool detail::root_pinned(const std::vector<RhoEvaluation>& evaluations, double tol) {
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    for (const auto& e : evaluations) {
        if (!e.converged || !std::isfinite(e.ln_rho)) continue;
        if (e.ln_rho >= 0) lo = std::max(lo, e.lambda);
        if (e.ln_rho <= 0) hi = std::min(hi, e.lambda);
    }
    return std::isfinite(lo) && std::isfinite(hi) && lo <= hi && hi - lo <= tol;
}

}  // namespace gdmft
