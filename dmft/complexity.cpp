// Annealed Kac-Rice complexity in the SCS limit (see the header and docs/complexity.md).
#include "dmft/complexity.hpp"

#include "dmft/gated_complexity.hpp"
#include "dmft/jd_spectrum.hpp"
#include "numerics/brent.hpp"
#include "numerics/errors.hpp"
#include "numerics/gaussian_average.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace gdmft {

namespace {

// The tilted law at fixed q: nodes of x ~ N(0, g^2 q) with weights, and phi^2, phi'^2 there.
struct TiltedLaw {
    double g = 1, q = 0;
    std::vector<double> x, lw, p2, d2;  // nodes, log base weights, phi^2, phi'^2
    int evaluations = 0;

    TiltedLaw(double g_, Phi phi, double q_, double tol) : g(g_), q(q_) {
        const double sd = g * std::sqrt(q);
        // sqrt(1 + t phi'^2) exp(m phi^2) is analytic in a strip narrower than tanh's (pi/2): take pi/4.
        // The tilted law can be narrower than the base one: as q -> 0 its sd is 1/g of the base sd (and
        // ~1/g at the solutions, m < 0). The step resolves it too: trapezoid error ~ exp(-2 pi^2 (sd_t/h)^2).
        constexpr double half_width = 8.5;
        const double h = std::min(gauss::trapezoid_step((std::numbers::pi / 4) / sd, tol), 0.3 / std::max(1.0, g));
        const auto rule = gauss::Rule::trapezoid(2 * static_cast<int>(std::ceil(half_width / h)) + 1, half_width);
        for (std::size_t k = 0; k < rule.x.size(); ++k) {
            if (rule.w[k] <= 0) continue;
            const double u = sd * rule.x[k];
            x.push_back(u);
            lw.push_back(std::log(rule.w[k]));
            const double p = phi(u), dp = phi.deriv(u);
            p2.push_back(p * p);
            d2.push_back(dp * dp);
        }
    }

    // Moments of the tilted law at (t, m).
    struct Moments {
        double lnZ = 0, phi2 = 0, var_phi2 = 0, a = 0, x2 = 0;
    };
    Moments at(double t, double m) {
        ++evaluations;
        const std::size_t n = x.size();
        std::vector<double> e(n);
        double emax = -INFINITY;
        for (std::size_t k = 0; k < n; ++k) {
            e[k] = lw[k] + 0.5 * std::log1p(t * d2[k]) + m * (p2[k] - q);
            emax = std::max(emax, e[k]);
        }
        double Z = 0, s1 = 0, s2 = 0, sa = 0, sx = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const double w = std::exp(e[k] - emax);
            Z += w;
            s1 += w * p2[k];
            s2 += w * p2[k] * p2[k];
            sa += w * 0.5 * d2[k] / (1 + t * d2[k]);
            sx += w * x[k] * x[k];
        }
        Moments M;
        M.lnZ = emax + std::log(Z);
        M.phi2 = s1 / Z;
        M.var_phi2 = std::max(0.0, s2 / Z - M.phi2 * M.phi2);
        M.a = sa / Z;
        M.x2 = sx / Z;
        return M;
    }

    // inf_m at fixed t: <phi^2>(m) = q, increasing in m. Safeguarded Newton inside an expanding bracket.
    double solve_m(double t, double m0) {
        auto f = [&](double m) { return at(t, m).phi2 - q; };
        double lo = m0 - 1, hi = m0 + 1;
        double step = 1;
        while (f(lo) > 0 && step < 1e8) { hi = lo; step *= 2; lo -= step; }
        step = 1;
        while (f(hi) < 0 && step < 1e8) { lo = hi; step *= 2; hi += step; }
        double m = std::clamp(m0, lo, hi);
        for (int it = 0; it < 100; ++it) {
            const Moments M = at(t, m);
            const double r = M.phi2 - q;
            if (std::abs(r) <= 1e-15 * std::max(q, 1e-300) + 1e-17) break;
            (r > 0 ? hi : lo) = m;
            double next = M.var_phi2 > 0 ? m - r / M.var_phi2 : 0.5 * (lo + hi);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (std::abs(next - m) <= 1e-15 * (1 + std::abs(m))) { m = next; break; }
            m = next;
        }
        return m;
    }

    // sup_t inf_m: the envelope derivative <a> - 1/(2 g^2) decreases in t (concavity).
    struct Saddle {
        double G = 0, t = 0, m = 0;
        Moments M;
    };
    Saddle solve(double t_hint, double m_hint) {
        const double target = 0.5 / (g * g);
        double m = m_hint;
        auto dG = [&](double t) {
            m = solve_m(t, m);
            return at(t, m).a - target;
        };
        Saddle s;
        double t = 0;
        if (dG(0.0) > 0) {
            double lo = 0, hi = std::max(1.0, 2 * t_hint);
            while (dG(hi) > 0 && hi < 1e12) { lo = hi; hi *= 4; }
            const auto root = brent_root(dG, lo, hi, 1e-14, 1e-300);
            t = root.ok ? root.x : hi;
        }
        s.t = t;
        s.m = solve_m(t, m);
        s.M = at(s.t, s.m);
        s.G = s.M.lnZ - t * target;
        return s;
    }
};

void require_input_free(const ModelParams& model) {
    model.validate();
    if (model.input_mean != 0) throw BadInput("input_mean", "the complexity is implemented for mu = 0 only (odd, input-free network)");
    if (model.input_std != 0) throw BadInput("input_std", "the complexity is implemented for s = 0 only (input-free network)");
}

}  // namespace

void require_complexity_scope(const ModelParams& model) { require_input_free(model); }

double complexity_profile(double g, Phi phi, double q, const ComplexityOptions& opts) {
    TiltedLaw law(g, phi, q, opts.quadrature_tol);
    const double g2 = g * g;
    return law.solve(std::max(0.0, g2 - 1), (1 - g2) / (2 * g2) / q).G;
}

ComplexityResult scs_complexity(double g, Phi phi, const ComplexityOptions& opts) {
    ComplexityResult r;
    r.g_eff = g;
    if (!(g > 0) || !std::isfinite(g)) throw BadInput("g_h", "the effective gain g_h sigma_r(0) must be positive and finite");
    const double g2 = g * g;
    if (g <= 1) {
        // c1 = (g^2 - 1)/g^2 <= 0 and the profile stays below 0: only x = 0 (docs/complexity.md).
        r.converged = true;
        r.message = "only the trivial fixed point: g_eff <= 1, the variational problem has no interior solution (q -> 0, Sigma = 0)";
        r.unstable_fraction = 0.0;
        return r;
    }
    // Profile on a geometric grid in q, warm-started along the grid.
    const int n = std::max(8, opts.q_grid);
    std::vector<double> qs(n), Gs(n);
    double t_hint = g2 - 1, mu_hint = (1 - g2) / (2 * g2);
    auto profile = [&](double q, double& t_h, double& mu_h) {
        TiltedLaw law(g, Phi{phi}, q, opts.quadrature_tol);
        const auto s = law.solve(t_h, mu_h / q);
        r.objective_evaluations += law.evaluations;
        t_h = s.t;
        mu_h = s.m * q;
        return s;
    };
    for (int i = 0; i < n; ++i) {
        qs[i] = opts.q_min * std::pow(opts.q_max / opts.q_min, double(i) / (n - 1));
        Gs[i] = profile(qs[i], t_hint, mu_hint).G;
    }
    const int best = int(std::max_element(Gs.begin(), Gs.end()) - Gs.begin());
    if (!(Gs[best] > opts.Sigma_floor)) {
        r.converged = true;
        r.message = "only the trivial fixed point to numerical accuracy: the profile G(q) has no maximum above " +
                    std::to_string(opts.Sigma_floor) + " for q >= " + std::to_string(opts.q_min) +
                    " (Sigma = 0; near the onset Sigma ~ (g_eff^2 - 1)^3 / 40.5)";
        r.unstable_fraction = 0.0;
        return r;
    }
    const double lo = qs[std::max(0, best - 1)], hi = qs[std::min(n - 1, best + 1)];
    double t_h = t_hint, mu_h = mu_hint;
    auto negG = [&](double lq) { return -profile(std::exp(lq), t_h, mu_h).G; };
    double q_best = qs[best];
    if (best > 0 && best < n - 1) {
        // Sigma is quadratic at its maximum: ln q to 1e-7 gives Sigma to ~1e-14 relative. The profile carries
        // ~1e-16 noise from the inner solves, so Brent may stop short of its test; its best point is kept.
        const auto mn = brent_min(negG, std::log(lo), std::log(qs[best]), std::log(hi), 0.0, 1e-7);
        if (std::isfinite(mn.f) && -mn.f >= Gs[best]) q_best = std::exp(mn.x);
    }
    t_h = g2 - 1;
    mu_h = (1 - g2) / (2 * g2);
    const auto s = profile(q_best, t_h, mu_h);
    r.trivial = false;
    r.Sigma = std::max(0.0, s.G);
    r.q = q_best;
    r.t = s.t;
    r.m = s.m;
    r.second_moment = s.M.x2;
    r.mean_phi2 = s.M.phi2;
    r.converged = std::isfinite(s.G) && std::abs(s.M.phi2 - q_best) <= 1e-10 * q_best && best > 0 && best < n - 1;
    r.message = r.converged ? "interior maximum" : "maximum at the edge of the q grid or constraint not met";
    if (opts.unstable_fraction) {
        // The optimal law's phi'(x) values and probabilities give D's law.
        TiltedLaw law(g, Phi{phi}, q_best, opts.quadrature_tol);
        DiagonalLaw dl;
        double Z = 0;
        std::vector<double> e(law.x.size());
        double emax = -INFINITY;
        for (std::size_t k = 0; k < law.x.size(); ++k) {
            e[k] = law.lw[k] + 0.5 * std::log1p(s.t * law.d2[k]) + s.m * law.p2[k];
            emax = std::max(emax, e[k]);
        }
        for (std::size_t k = 0; k < law.x.size(); ++k) {
            dl.d.push_back(std::sqrt(law.d2[k]));
            dl.w.push_back(std::exp(e[k] - emax));
            Z += dl.w.back();
        }
        for (auto& w : dl.w) w /= Z;
        r.unstable_fraction = jd_unstable_fraction(dl, g);
    }
    return r;
}

ComplexityResult annealed_complexity(const ModelParams& model, const ComplexityOptions& opts) {
    require_input_free(model);
    if (model.alpha_r != 0) return gated_complexity(model, opts);
    return scs_complexity(model.g_eff(), model.phi_fn(), opts);
}

double complexity_bifurcation(const ModelParams& model) {
    require_input_free(model);
    if (model.alpha_r != 0)
        throw BadInput("alpha_r", "the bifurcation g_eff^2 - 1 locates the onset only in the SCS limit (alpha_r = 0); "
                                  "the gated onset is found on the nontrivial branch (complexity_scan)");
    const double g = model.g_eff();
    return g * g - 1;
}

}  // namespace gdmft
