// The fixed-point and chaotic branches parametrized by their variances: see dmft/transition_branches.hpp.
#include "dmft/transition_branches.hpp"

#include "dmft/fixed_points.hpp"
#include "dmft/gaussian_closure.hpp"
#include "dmft/parameter_axis.hpp"
#include "numerics/brent.hpp"
#include "numerics/gaussian_average.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gdmft {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPhiStrip = std::numbers::pi / 2;  // tanh poles at +-i pi/2; erf varies on that scale

template <class F>
double strip_mean(F&& f, double mu, double var, double strip) {
    if (var <= 0) return f(mu);
    return gauss::mean(f, mu, var, gauss::rule_for_strip(strip / std::sqrt(var), 1e-15));
}

bool zero_inputs(const ModelParams& m) { return m.input_mean == 0 && m.input_std == 0; }

// Root in p of g(p) on [lo, hi]: the ends first, then 9 interior samples for a finite sign change
// (from the top of the bracket down). g can be undefined (NaN) on part of the bracket: the energy
// condition has no plateau below c0 past some p, and its root can lie just before that edge. Between a
// finite and a NaN sample, bisection looks for a finite point of the other sign next to the edge.
double solve_in_bracket(const std::function<double(double)>& g, double lo, double hi) {
    auto root_between = [&](double a, double b) {  // g(a), g(b) finite and of opposite signs
        const Brent1D r = brent_root(g, std::min(a, b), std::max(a, b), 1e-14, 0.0);
        return r.ok ? r.x : kNaN;
    };
    auto search_edge = [&](double a, double ga, double b) {  // g(a) = ga finite, g(b) NaN
        for (int it = 0; it < 50; ++it) {
            const double mid = 0.5 * (a + b), gm = g(mid);
            if (!std::isfinite(gm)) {
                b = mid;
            } else if ((gm > 0) != (ga > 0)) {
                return root_between(a, mid);
            } else {
                a = mid;
            }
        }
        return kNaN;
    };
    const int K = 8;
    double x_prev = hi, g_prev = g(hi);
    for (int k = K - 1; k >= 0; --k) {
        const double x = lo + (hi - lo) * k / K;
        const double gx = g(x);
        if (std::isfinite(gx) && std::isfinite(g_prev) && (gx > 0) != (g_prev > 0)) return root_between(x, x_prev);
        if (std::isfinite(gx) != std::isfinite(g_prev)) {
            const double r = std::isfinite(gx) ? search_edge(x, gx, x_prev) : search_edge(x_prev, g_prev, x);
            if (std::isfinite(r)) return r;
        }
        x_prev = x;
        g_prev = gx;
    }
    return kNaN;
}

// Root in p of g(p) near a hint (the previous point of a followed branch): brackets of growing width
// around it (2%, 10%, 50% of the range, then the whole range), so that the branch stays continuous and a
// distant root of another branch is not picked up.
double solve_near(const std::function<double(double)>& g, double lo, double hi, double hint) {
    if (std::isfinite(hint) && hint >= lo && hint <= hi) {
        for (double w : {0.02, 0.1, 0.5}) {
            const double a = std::max(lo, hint - w * (hi - lo)), b = std::min(hi, hint + w * (hi - lo));
            const double r = solve_in_bracket(g, a, b);
            if (std::isfinite(r)) return r;
        }
    }
    return solve_in_bracket(g, lo, hi);
}

double default_step(const ModelParams& m) {
    const double a = m.alpha_r * m.g_r;
    return 1e-4 / std::max(1.0, a * a);
}

template <class P>
double slope_at_zero(P&& p, double d) {
    const double p1 = p(d), p2 = p(2 * d), p4 = p(4 * d);
    return (4 * (p2 - p1) - (p4 - p2)) / (2 * d);
}

}  // namespace

double fixed_point_branch(const ModelParams& m, const ParamRange& p, double D) {
    if (!(D > 0)) return kNaN;
    if (p.name == "g_h") {
        ModelParams a = m;
        a.g_h = 1;
        a.input_std = 0;
        const double s2 = m.input_std * m.input_std;
        const double A = fixed_point_map(a, D);
        return D > s2 && A > 0 ? std::sqrt((D - s2) / A) : kNaN;
    }
    if (p.name == "input_std") {
        ModelParams a = m;
        a.input_std = 0;
        const double s2 = D - fixed_point_map(a, D);
        return s2 > 0 ? std::sqrt(s2) : kNaN;
    }
    return solve_in_bracket([&](double v) { return fixed_point_map(with_parameter(m, p.name, v), D) - D; }, p.lo, p.hi);
}

double fixed_point_slope(const ModelParams& m, double D) {
    const Phi phi = m.phi_fn();
    const Gate g = m.gate_r();
    const double p2 = strip_mean([&](double u) { const double f = phi(u); return f * f; }, m.input_mean, D, kPhiStrip);
    const double dp2 = strip_mean([&](double u) { const double d = phi.deriv(u); return d * d + phi(u) * phi.deriv2(u); },
                                  m.input_mean, D, kPhiStrip);
    const double R = m.g_r * m.g_r * p2;
    const double gate_strip = g.constant() ? 1e300 : std::numbers::pi / std::abs(g.alpha);
    const double s2 = strip_mean([&](double u) { const double s = g(u); return s * s; }, 0.0, R, gate_strip);
    const double ds2 = g.constant() ? 0.0 : strip_mean([&](double u) {
        const double s = g(u), d = g.alpha * s * (1 - s), dd = g.alpha * d * (1 - 2 * s);
        return d * d + s * dd;
    }, 0.0, R, gate_strip);
    return m.g_h * m.g_h * (s2 + m.g_r * m.g_r * p2 * ds2) * dp2;
}

std::string chaos_branch_unsupported(const ModelParams& m, const std::string& name) {
    if (m.alpha_z != 0 || name == "alpha_z")
        return "the chaotic branch is followed through the Gaussian closure's energy condition, which needs "
               "alpha_z = 0 (a constant clock); with alpha_z != 0 the onset needs the sampled solver";
    const bool dyn_r = (m.alpha_r != 0 || name == "alpha_r") && (m.tau_r > 0 || name == "tau_r");
    if (dyn_r)
        return "the chaotic branch is followed through the tau_r = 0 energy condition; a dynamic r gate "
               "(tau_r > 0 with alpha_r != 0) needs continuation of the lag-grid solver, not implemented";
    return "";
}

ChaosBranchPoint chaos_branch(const ModelParams& m, const ParamRange& p, double c0, double tol, double hint) {
    ChaosBranchPoint out;
    if (!(c0 > 0)) return out;
    if (p.name == "g_h" && zero_inputs(m)) {
        // q = 0 for every g_h, so E(c0; g) = g^2 I(c0) - c0^2/2; I from one evaluation at g_ref.
        constexpr double g_ref = 0.5;
        ModelParams a = m;
        a.g_h = g_ref;
        const double E_ref = closure::energy_residual(a, c0, tol);
        const double I = (E_ref + 0.5 * c0 * c0) / (g_ref * g_ref);
        if (!(I > 0)) return out;
        out.p = c0 / std::sqrt(2 * I);
    } else {
        out.p = solve_near([&](double v) { return closure::energy_residual(with_parameter(m, p.name, v), c0, tol); },
                           p.lo, p.hi, hint);
    }
    if (!std::isfinite(out.p)) return out;
    const closure::EnergyPoint pt = closure::energy_point(with_parameter(m, p.name, out.p), c0, tol);
    out.q = pt.q;
    out.valid = pt.valid;
    return out;
}

double fixed_point_slope_at_zero(const ModelParams& m, const ParamRange& p, double d) {
    if (!(d > 0)) d = default_step(m);
    return slope_at_zero([&](double x) { return fixed_point_branch(m, p, x); }, d);
}

double chaos_slope_at_zero(const ModelParams& m, const ParamRange& p, double d) {
    if (!(d > 0)) d = default_step(m);
    return slope_at_zero([&](double x) { return chaos_branch(m, p, x).p; }, d);
}

}  // namespace gdmft
