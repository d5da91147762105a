#pragma once
// Gaussian averages: the one place where <f(x)> and <f(x) g(y)> over Gaussian variables are computed.
//
// Rule: trapezoid on a fixed window [-L, L] of the standard-normal variable. For analytic integrands
// this converges exponentially (error ~ exp(-2 pi d / h), d = distance of the nearest complex
// singularity), and unlike Gauss-Hermite it stays accurate for tanh at large variance, whose poles
// approach the real axis as pi/(2 sqrt(var)). The default (401 points on [-9, 9]) reaches 1e-10 for
// tanh up to variance ~50. Bivariate averages use the conditional decomposition
//   x = mu_x + sqrt(var_x) u,  y | u ~ N(mu_y + cov u / sqrt(var_x), var_y - cov^2 / var_x),
// i.e. an outer rule over u and an inner one-dimensional average.
#include "numerics/chebyshev.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace gdmft::gauss {

struct Rule {
    std::vector<double> x, w;  // nodes of the standard-normal variable and weights (sum w = 1)
    static Rule trapezoid(int n, double half_width);
};

// The default rule (401 points on [-9, 9]); built once.
const Rule& default_rule();
// A cheaper rule for inner loops that tolerate ~1e-7 (161 points on [-8.5, 8.5]).
const Rule& coarse_rule();

// <f(x)>, x ~ N(mu, var).
template <class F>
double mean(F&& f, double mu, double var, const Rule& rule = default_rule()) {
    if (var <= 0) return f(mu);
    const double sd = std::sqrt(var);
    double acc = 0;
    for (std::size_t k = 0; k < rule.x.size(); ++k) acc += rule.w[k] * f(mu + sd * rule.x[k]);
    return acc;
}

// <f(x) g(y)> for (x, y) jointly Gaussian with the given means, variances and covariance.
template <class F, class G>
double bivariate(F&& f, G&& g, double mu_x, double var_x, double mu_y, double var_y, double cov,
                 const Rule& rule = default_rule()) {
    if (var_x <= 0) return f(mu_x) * mean(g, mu_y, var_y, rule);
    const double sx = std::sqrt(var_x);
    const double slope = cov / sx;
    const double cond_var = std::max(0.0, var_y - cov * cov / var_x);
    double acc = 0;
    for (std::size_t k = 0; k < rule.x.size(); ++k) {
        const double u = rule.x[k];
        acc += rule.w[k] * f(mu_x + sx * u) * mean(g, mu_y + slope * u, cond_var, rule);
    }
    return acc;
}

// Stationary pair average <f(x) f(y)> for x, y ~ N(mu, c0) with covariance c (|c| <= c0), evaluated
// for many covariances at once. Uses the shared-component form
//   x = mu + sqrt(c0-|c|) a + sqrt(|c|) z,  y = mu + sqrt(c0-|c|) b + sign(c) sqrt(|c|) z,
//   <f f> = E_z[ F(z) F(sign(c) z) ],  F(z) = E_a f(mu + sqrt(c0-|c|) a + sqrt(|c|) z).
template <class F>
std::vector<double> stationary_pair(F&& f, double mu, double c0, const std::vector<double>& cs,
                                    const Rule& rule = default_rule()) {
    std::vector<double> out(cs.size());
    const std::size_t n = rule.x.size();
    std::vector<double> inner(n);
    for (std::size_t i = 0; i < cs.size(); ++i) {
        const double c = std::max(-c0, std::min(c0, cs[i]));
        const double sc = std::sqrt(std::abs(c));
        const double sr = std::sqrt(std::max(0.0, c0 - std::abs(c)));
        for (std::size_t k = 0; k < n; ++k) inner[k] = mean(f, mu + sc * rule.x[k], sr * sr, rule);
        double acc = 0;
        // The rule is symmetric (x[n-1-k] = -x[k]), so F(-z_k) = inner[n-1-k].
        for (std::size_t k = 0; k < n; ++k) acc += rule.w[k] * inner[k] * (c >= 0 ? inner[k] : inner[n - 1 - k]);
        out[i] = acc;
    }
    return out;
}

// Trapezoid rule for an integrand analytic in the strip |Im x| < d of the standard-normal variable x:
// error ~ exp(y^2/2 - 2 pi y / h) for 0 < y <= d (the Gaussian weight grows off the real axis), so the step is
// h = min(0.5, 2 pi y / (ln(1/tol) + y^2/2)) with y = min(d, sqrt(ln(1/tol))); window [-8.5, 8.5]. For f(mu +
// sd x) with f's nearest singularity at distance w from the real axis (tanh: pi/2; a gate with slope
// alpha: pi/alpha), d = w / sd. Small variances get few nodes (at least 35), large ones many.
Rule rule_for_strip(double d, double tol = 1e-14);
// The step h of that rule before it is fitted to the window.
double trapezoid_step(double d, double tol = 1e-14);

// Stationary pair averages as smooth functions of the covariance, for solvers that need them at many
// lags and their Price-theorem derivatives. For x, y ~ N(mu, c0) with covariance c in [c_lo, c0]:
//   value(c) = <f(x) f(y)>,   d_cov(c) = d value / dc = <f'(x) f'(y)>,
//   d_var(c) = d value / dc0 at fixed c = <f''(x) f(y)>        (Price's theorem),
// each a Chebyshev interpolant in c (accurate to ~tol relative; `converged` false if the degree cap was
// hit). Each node is a two-level trapezoid average in the shared-component form of stationary_pair,
// with rules sized by rule_for_strip (to 1e-4 tol) for the inner and outer standard deviations
// separately, so small variances cost little; when both want about the same step in u, f is evaluated
// once on a common grid and the inner averages become discrete correlations. Cost per node ~ (sd/strip)^2:
// milliseconds per table for tanh up to variance ~50, but a steep gate (slope alpha at variance R0) costs
// ~ (alpha sqrt(R0))^2 per node, i.e. about a second per table at alpha sqrt(R0) ~ 50. The interpolant is Gevrey-smooth up to c = c0, where it is evaluated exactly
// (a Lobatto node).
struct PairTable {
    double mu = 0, c0 = 0;
    Chebyshev value, d_cov, d_var;
    bool converged = false;
};

// f3(u) returns {f(u), f'(u), f''(u)}; strip = distance of f's nearest complex singularity from the real
// axis (tanh: pi/2; for an entire function pass the scale on which it varies, e.g. pi/2 for erf(sqrt(pi)u/2)).
template <class F3>
PairTable pair_table(F3&& f3, double mu, double c0, double c_lo, double strip, double tol = 1e-12) {
    PairTable t;
    t.mu = mu;
    t.c0 = c0 = std::max(0.0, c0);
    c_lo = std::clamp(c_lo, -c0, c0);
    // Quadrature tolerance well below the table's: the rule's error estimate holds for f, while f' and f''
    // (double and triple poles for tanh) carry up to ~50 times larger trapezoid errors at the same step.
    const double qtol = std::clamp(1e-4 * tol, 1e-16, 1e-10);
    constexpr double half_width = 8.5;
    auto node = [&](double c) {
        const double ac = std::min(std::abs(c), c0);
        const double sc = std::sqrt(ac), sr = std::sqrt(std::max(0.0, c0 - ac));
        // Inner means F(z_k) = E_a f(mu + sc z_k + sr a) of f, f', f'' at the outer nodes z_k.
        std::vector<std::array<double, 3>> F;
        Rule outer;
        const double dx_o = sc > 0 ? sc * trapezoid_step(strip / sc, qtol) : 0.0;
        const double dx_i = sr > 0 ? sr * trapezoid_step(strip / sr, qtol) : 0.0;
        if (dx_o > 0 && dx_i > 0 && std::max(dx_o, dx_i) <= 2 * std::min(dx_o, dx_i)) {
            // Both rules want about the same step in u (for a strip-limited f the step scales as 1/sd):
            // put every argument mu + sc z_k + sr a_j on one grid of step delta, evaluate f there once,
            // and form the inner means as discrete correlations with the Gaussian weights.
            const double delta = std::min(dx_o, dx_i);
            const int Ko = static_cast<int>(std::ceil(half_width * sc / delta));
            const int Ki = static_cast<int>(std::ceil(half_width * sr / delta));
            outer = Rule::trapezoid(2 * Ko + 1, Ko * delta / sc);
            const Rule inner = Rule::trapezoid(2 * Ki + 1, Ki * delta / sr);
            std::vector<std::array<double, 3>> fgrid(2 * (Ko + Ki) + 1);
            for (int g = 0; g < static_cast<int>(fgrid.size()); ++g) fgrid[g] = f3(mu + delta * (g - Ko - Ki));
            F.assign(2 * Ko + 1, {0.0, 0.0, 0.0});
            for (int k = 0; k <= 2 * Ko; ++k) {
                double a0 = 0, a1 = 0, a2 = 0;
                const std::array<double, 3>* fk = fgrid.data() + k;
                for (int j = 0; j <= 2 * Ki; ++j) {
                    a0 += inner.w[j] * fk[j][0];
                    a1 += inner.w[j] * fk[j][1];
                    a2 += inner.w[j] * fk[j][2];
                }
                F[k] = {a0, a1, a2};
            }
        } else {
            outer = sc > 0 ? rule_for_strip(strip / sc, qtol) : Rule{{0.0}, {1.0}};
            const Rule inner = sr > 0 ? rule_for_strip(strip / sr, qtol) : Rule{{0.0}, {1.0}};
            F.resize(outer.x.size());
            for (std::size_t k = 0; k < outer.x.size(); ++k) {
                std::array<double, 3> acc{0, 0, 0};
                const double m = mu + sc * outer.x[k];
                for (std::size_t j = 0; j < inner.x.size(); ++j) {
                    const std::array<double, 3> v = f3(m + sr * inner.x[j]);
                    for (int d = 0; d < 3; ++d) acc[d] += inner.w[j] * v[d];
                }
                F[k] = acc;
            }
        }
        // y shares the component z with sign(c): F(-z_k) = F[no-1-k] (symmetric rule).
        const std::size_t no = outer.x.size();
        std::array<double, 3> out{0, 0, 0};
        for (std::size_t k = 0; k < no; ++k) {
            const auto& Fy = c >= 0 ? F[k] : F[no - 1 - k];
            out[0] += outer.w[k] * F[k][0] * Fy[0];
            out[1] += outer.w[k] * F[k][1] * Fy[1];
            out[2] += outer.w[k] * F[k][2] * Fy[0];
        }
        return out;
    };
    auto set = chebyshev_adaptive<3>(node, c_lo, c0, tol);
    t.value = set.fn[0];
    t.d_cov = set.fn[1];
    t.d_var = set.fn[2];
    t.converged = set.converged;
    return t;
}

// Closed form for phi = erf(sqrt(pi) u / 2), zero means: <phi(x) phi(y)> = (2/pi) asin((pi/2) c / (1 + (pi/2) c0)).
// For different variances: (2/pi) asin((pi/2) c / sqrt((1 + (pi/2) cx)(1 + (pi/2) cy))).
double erf_pair_closed_form(double var_x, double var_y, double cov);

}  // namespace gdmft::gauss
