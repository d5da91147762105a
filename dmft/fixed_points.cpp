#include "dmft/fixed_points.hpp"

#include "numerics/gaussian_average.hpp"
#include "numerics/errors.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include <cmath>
#include <stdexcept>

namespace gdmft {

namespace {

// <f(x)>, x ~ N(mu, var), for f analytic in the strip |Im u| < strip: a trapezoid rule sized to the
// strip (gauss::rule_for_strip), so that steep gates (strip pi/alpha_r) stay resolved at any alpha_r.
template <class F>
double strip_mean(F&& f, double mu, double var, double strip) {
    if (var <= 0) return f(mu);
    return gauss::mean(f, mu, var, gauss::rule_for_strip(strip / std::sqrt(var), 1e-15));
}

constexpr double kPhiStrip = 1.5707963267948966;  // tanh: poles at +-i pi/2; erf varies on the same scale

double gate_strip(const Gate& g) { return g.constant() ? 1e300 : 3.141592653589793 / std::abs(g.alpha); }

double phi_sq(const ModelParams& m, double Delta_h) {
    const Phi phi = m.phi_fn();
    return strip_mean([&](double u) { const double p = phi(u); return p * p; }, m.input_mean, Delta_h, kPhiStrip);
}

double gate_sq(const Gate& g, double var) {
    return strip_mean([&](double u) { const double s = g(u); return s * s; }, 0.0, var, gate_strip(g));
}

// Largest possible <sigma_r^2>: the constant gate's value, else 1.
double max_gate_sq(const ModelParams& m) {
    const Gate g = m.gate_r();
    return g.constant() ? g.at_zero() * g.at_zero() : 1.0;
}

}  // namespace

double fixed_point_map(const ModelParams& m, double Delta_h) {
    const double p2 = phi_sq(m, Delta_h);
    const double Delta_r = m.g_r * m.g_r * p2;
    return m.g_h * m.g_h * gate_sq(m.gate_r(), Delta_r) * p2 + m.input_std * m.input_std;
}

FixedPointBranch fixed_point_at(const ModelParams& m, double Delta_h) {
    const Phi phi = m.phi_fn();
    const Gate gr = m.gate_r();
    FixedPointBranch b;
    b.Delta_h = Delta_h;
    const double p2 = phi_sq(m, Delta_h);
    b.Delta_r = m.g_r * m.g_r * p2;
    b.Delta_z = m.g_z * m.g_z * p2;
    const double dphi2 = strip_mean([&](double u) { const double d = phi.deriv(u); return d * d; }, m.input_mean, Delta_h, kPhiStrip);
    const double s2 = gate_sq(gr, b.Delta_r);
    const double ds2 = strip_mean([&](double u) { const double d = gr.deriv(u); return d * d; }, 0.0, b.Delta_r, gate_strip(gr));
    b.G = m.g_h * m.g_h * (s2 * dphi2 + m.g_r * m.g_r * ds2 * p2 * dphi2);
    b.stable = b.G < 1.0;
    return b;
}

std::vector<FixedPointBranch> fixed_points(const ModelParams& m, int scan_points) {
    if (scan_points < 10) throw BadInput("scan_points", "need at least 10 scan points (fixed_points)");
    auto r = [&](double D) { return fixed_point_map(m, D) - D; };
    const double D_max = m.g_h * m.g_h * max_gate_sq(m) + m.input_std * m.input_std;

    std::vector<FixedPointBranch> out;
    const double r0 = r(0.0);
    if (r0 == 0.0) out.push_back(fixed_point_at(m, 0.0));
    if (D_max <= 0) return out;

    // Geometric scan over [1e-10, 1] * D_max (below that only the exact zero root can lie), bracket, Brent.
    gsl_set_error_handler_off();
    gsl_root_fsolver* solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    struct Ctx { decltype(r)* f; } ctx{&r};
    gsl_function F;
    F.function = [](double x, void* p) { return (*static_cast<Ctx*>(p)->f)(x); };
    F.params = &ctx;

    const double lo = 1e-10 * D_max;
    double x_prev = lo, f_prev = r(lo);
    if (f_prev == 0.0) out.push_back(fixed_point_at(m, lo));
    for (int i = 1; i < scan_points; ++i) {
        const double x = lo * std::pow(D_max / lo, double(i) / (scan_points - 1));
        const double f = r(x);
        if (f == 0.0) {
            out.push_back(fixed_point_at(m, x));
        } else if (f_prev != 0.0 && (f > 0) != (f_prev > 0)) {
            gsl_root_fsolver_set(solver, &F, x_prev, x);
            double root = 0.5 * (x_prev + x);
            for (int it = 0; it < 200; ++it) {
                gsl_root_fsolver_iterate(solver);
                root = gsl_root_fsolver_root(solver);
                const double a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver);
                if (gsl_root_test_interval(a, b, 0.0, 1e-13) == GSL_SUCCESS) break;
            }
            out.push_back(fixed_point_at(m, root));
        }
        x_prev = x;
        f_prev = f;
    }
    gsl_root_fsolver_free(solver);
    return out;
}

}  // namespace gdmft
