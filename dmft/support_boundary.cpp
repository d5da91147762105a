#include "dmft/support_boundary.hpp"

#include "numerics/errors.hpp"
#include "numerics/gaussian_average.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>
#include <numeric>
#include <type_traits>

namespace gdmft {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double mean_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Bounded, monotone in F, zero at F = 1: a safe function for bracketing (F may be +infinity or 0).
double crossing_fn(double F) { return std::isinf(F) ? 1.0 : (F <= 0 ? -1.0 : std::tanh(std::log(F))); }

// Brent root of g on [a, b] (g(a), g(b) of opposite signs) to absolute tolerance tol.
template <class Fn>
double brent(Fn&& g, double a, double b, double tol) {
    using G = std::remove_reference_t<Fn>;
    gsl_function F;
    F.function = [](double x, void* p) { return (*static_cast<G*>(p))(x); };
    F.params = const_cast<void*>(static_cast<const void*>(&g));
    gsl_error_handler_t* old = gsl_set_error_handler_off();
    gsl_root_fsolver* solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(solver, &F, a, b);
    double root = 0.5 * (a + b);
    for (int it = 0; it < 200; ++it) {
        if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS) break;
        root = gsl_root_fsolver_root(solver);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver), tol, 0) ==
            GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(solver);
    gsl_set_error_handler(old);
    return root;
}

}  // namespace

double SupportModel::drive2_at(double z) const {
    if (drive2.empty()) return 0.0;
    if (drive2.size() == 1 || z <= drive2_z.front()) return drive2.front();
    if (z >= drive2_z.back()) return drive2.back();
    const auto it = std::upper_bound(drive2_z.begin(), drive2_z.end(), z);
    const std::size_t k = static_cast<std::size_t>(it - drive2_z.begin());
    const double t = (z - drive2_z[k - 1]) / (drive2_z[k] - drive2_z[k - 1]);
    return drive2[k - 1] + t * (drive2[k] - drive2[k - 1]);
}

double SupportModel::G() const { return support_function(*this, {0.0, 0.0}); }

SupportModel support_model_gaussian(const ModelParams& m, double mean_h, double var_h, double var_r, double var_z,
                                    const std::string& source) {
    const Phi phi = m.phi_fn();
    const Gate gr = m.gate_r();
    SupportModel s;
    s.g_h = m.g_h, s.g_z = m.g_z, s.g_r = m.g_r;
    s.tau_h = m.tau_h, s.tau_z = m.tau_z, s.tau_r = m.tau_r;
    s.gate_z = m.gate_z();
    s.var_z = std::max(0.0, var_z);
    var_h = std::max(0.0, var_h), var_r = std::max(0.0, var_r);
    const double phi2 = gauss::mean([&](double u) { return phi(u) * phi(u); }, mean_h, var_h);
    const double dphi2 = gauss::mean([&](double u) { const double d = phi.deriv(u); return d * d; }, mean_h, var_h);
    const double sr2 = gauss::mean([&](double u) { return gr(u) * gr(u); }, 0.0, var_r);
    const double srp2 = gauss::mean([&](double u) { const double d = gr.deriv(u); return d * d; }, 0.0, var_r);
    s.a_h = sr2 * dphi2;
    s.a_r = dphi2 * srp2 * phi2;
    s.a_z = dphi2;
    s.source = source;
    return s;
}

SupportModel support_model_samples(const ModelParams& m, const SiteSamples& x, int bins, const std::string& source) {
    const std::size_t n = x.h.size();
    if (n == 0) throw BadInput("samples", "no units (support_model_samples)");
    if (x.drive.size() != n || (!x.z.empty() && x.z.size() != n) || (!x.r.empty() && x.r.size() != n))
        throw BadInput("samples", "h, drive, z, r differ in length (support_model_samples)");
    if (bins < 1) throw BadInput("bins", "must be >= 1");
    const Phi phi = m.phi_fn();
    const Gate gr = m.gate_r(), gz = m.gate_z();
    SupportModel s;
    s.g_h = m.g_h, s.g_z = m.g_z, s.g_r = m.g_r;
    s.tau_h = m.tau_h, s.tau_z = m.tau_z, s.tau_r = m.tau_r;
    s.gate_z = gz;
    std::vector<double> a_h(n), dphi2(n), srp2phi2(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double r = x.r.empty() ? 0.0 : x.r[i];
        const double sr = gr(r), srp = gr.deriv(r), p = phi(x.h[i]), dp = phi.deriv(x.h[i]);
        a_h[i] = sr * sr * dp * dp;
        dphi2[i] = dp * dp;
        srp2phi2[i] = srp * srp * p * p;
    }
    s.a_h = mean_of(a_h);
    s.a_z = mean_of(dphi2);
    s.a_r = s.a_z * mean_of(srp2phi2);
    if (!x.z.empty()) {
        double z2 = 0;
        for (double z : x.z) z2 += z * z;
        s.var_z = z2 / static_cast<double>(n);
        // E[D^2 | z] on equal-count bins of z, placed at the bins' mean z.
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x.z[a] < x.z[b]; });
        const std::size_t nb = std::min<std::size_t>(static_cast<std::size_t>(bins), n);
        for (std::size_t b = 0; b < nb; ++b) {
            const std::size_t i0 = b * n / nb, i1 = (b + 1) * n / nb;
            double zs = 0, d2 = 0;
            for (std::size_t k = i0; k < i1; ++k) zs += x.z[order[k]], d2 += x.drive[order[k]] * x.drive[order[k]];
            const double cnt = static_cast<double>(i1 - i0);
            if (!s.drive2_z.empty() && zs / cnt <= s.drive2_z.back()) continue;  // ties: keep nodes increasing
            s.drive2_z.push_back(zs / cnt);
            s.drive2.push_back(d2 / cnt);
        }
    } else {
        double d2 = 0;
        for (double d : x.drive) d2 += d * d;
        s.drive2_z = {0.0};
        s.drive2 = {d2 / static_cast<double>(n)};
    }
    s.source = source;
    return s;
}

SupportModel support_model_units(const ModelParams& m, const SiteSamples& x, int bins, const std::string& source) {
    SupportModel s = support_model_samples(m, x, bins, source);
    const Phi phi = m.phi_fn();
    const Gate gr = m.gate_r(), gz = m.gate_z();
    const std::size_t n = x.h.size();
    s.units.resize(n);
    double rr = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double z = x.z.empty() ? 0.0 : x.z[i], r = x.r.empty() ? 0.0 : x.r[i];
        const double sz = gz(z), szp = gz.deriv(z), sr = gr(r), srp = gr.deriv(r);
        const double p = phi(x.h[i]), dp = phi.deriv(x.h[i]);
        s.units[i] = {sz, szp * szp * x.drive[i] * x.drive[i], sr * sr * dp * dp, dp * dp};
        rr += srp * srp * p * p;
    }
    s.a_rr = rr / static_cast<double>(n);
    return s;
}

namespace {

// Node values of the clock averages on the rule rule_for_strip(d_k) for the ladder d_k = 8 * 2^(-k/2): sigma_z^2 and
// sigma_z'^2 E[D^2|z] at z = sd x_j, with the rule's weights. They do not depend on lambda, so each evaluation of A and
// B is one pass of multiply-adds; using the ladder value d_k <= d only adds nodes (more accuracy), and bounds the
// number of distinct tables per model by the ladder's length.
struct ClockTable {
    int k = 0;
    double alpha = 0, beta = 0, var_z = 0;
    std::vector<double> d2z, d2;
    std::vector<double> w, s2, s, b;
};

constexpr double kLadderTop = 8.0;

const ClockTable& clock_table(const SupportModel& m, double d) {
    const double d_min = 62.0 / kMaxClockNodes;  // rule_for_strip uses ~62/d nodes for small d: the cap
    const int k_max = static_cast<int>(std::floor(2 * std::log2(kLadderTop / d_min)));
    const int k = std::clamp(static_cast<int>(std::ceil(2 * std::log2(kLadderTop / d))), 0, k_max);
    thread_local std::deque<ClockTable> cache;
    for (const auto& t : cache)
        if (t.k == k && t.alpha == m.gate_z.alpha && t.beta == m.gate_z.beta && t.var_z == m.var_z && t.d2 == m.drive2 &&
            t.d2z == m.drive2_z)
            return t;
    if (cache.size() >= 128) cache.pop_front();
    ClockTable t;
    t.k = k, t.alpha = m.gate_z.alpha, t.beta = m.gate_z.beta, t.var_z = m.var_z, t.d2z = m.drive2_z, t.d2 = m.drive2;
    const gauss::Rule rule = gauss::rule_for_strip(kLadderTop * std::exp2(-0.5 * k), 1e-10);
    const double sd = std::sqrt(m.var_z);
    const bool with_b = m.z_term();
    t.w = rule.w;
    for (double x : rule.x) {
        const double z = sd * x, sz = m.gate_z(z), sp = m.gate_z.deriv(z);
        t.s.push_back(sz);
        t.s2.push_back(sz * sz);
        t.b.push_back(with_b ? sp * sp * m.drive2_at(z) : 0.0);
    }
    cache.push_back(std::move(t));
    return cache.back();
}

}  // namespace

ClockAverages clock_averages(const SupportModel& s, std::complex<double> lambda) {
    const std::complex<double> tl = s.tau_h * lambda;
    const bool with_b = s.z_term();
    if (s.constant_clock()) {
        const double s0 = s.gate_z(0.0), d = std::norm(tl + s0);
        if (d == 0) return {kInf, with_b ? kInf : 0.0};
        const double sp = s.gate_z.deriv(0.0);
        return {s0 * s0 / d, with_b ? sp * sp * s.drive2_at(0.0) / d : 0.0};
    }
    // Singularities of sigma_z(z)^2 / |tl + sigma_z(z)|^2 continued to complex z: the gate's poles at |Im z| = pi/alpha,
    // and sigma_z(z) = w, w = -tl (or its conjugate): z = (beta - log(1/w - 1))/alpha, nearest |Im z| = |arg(1/w - 1)|/alpha.
    const double alpha = std::abs(s.gate_z.alpha), sd = std::sqrt(s.var_z);
    double width = std::numbers::pi / alpha;
    const std::complex<double> w = -tl;
    if (w != 0.0) {
        const std::complex<double> q = 1.0 / w - 1.0;
        if (q.imag() == 0.0 && q.real() > 0.0) return {kInf, with_b ? kInf : 0.0};  // on the singular segment
        width = std::min(width, std::abs(std::arg(q)) / alpha);
    }
    // The trapezoid sum of gauss::mean on precomputed node values: sum_j w_j f(sd x_j).
    const ClockTable& t = clock_table(s, width / sd);
    const double a = tl.real(), b2 = tl.imag() * tl.imag();
    ClockAverages out;
    for (std::size_t j = 0; j < t.w.size(); ++j) {
        const double u = a + t.s[j], inv = t.w[j] / (u * u + b2);
        out.A += t.s2[j] * inv;
        out.B += t.b[j] * inv;
    }
    return out;
}

namespace {

// F from per-unit statistics: the largest eigenvalue of the (nonnegative) 2 x 2 moment matrix.
double support_function_units(const SupportModel& s, std::complex<double> lambda) {
    const bool zt = s.z_term(), rt = s.g_r > 0 && s.a_rr > 0;
    const double cz = zt ? std::norm(1.0 + s.tau_z * lambda) : 1.0, cr = rt ? std::norm(1.0 + s.tau_r * lambda) : 1.0;
    if (cz == 0 || cr == 0) return kInf;
    const std::complex<double> tl = s.tau_h * lambda;
    const double gh2 = s.g_h * s.g_h, gz2 = s.g_z * s.g_z, rterm = rt ? s.g_r * s.g_r * s.a_rr / cr : 0.0;
    double m11 = 0, m12 = 0, m21 = 0, m22 = 0;
    for (const auto& u : s.units) {
        const double den = std::norm(tl + u.sz);
        if (den == 0) return kInf;
        const double u1 = gh2 * u.sz * u.sz / den, u2 = zt ? gz2 * u.b / (den * cz) : 0.0;
        const double w = u.w + rterm * u.p2;
        m11 += w * u1, m12 += w * u2, m21 += u.p2 * u1, m22 += u.p2 * u2;
    }
    const double n = static_cast<double>(s.units.size());
    m11 /= n, m12 /= n, m21 /= n, m22 /= n;
    const double tr = m11 + m22, det = m11 * m22 - m12 * m21;
    return 0.5 * (tr + std::sqrt(std::max(0.0, tr * tr - 4 * det)));
}

}  // namespace

double support_function(const SupportModel& s, std::complex<double> lambda) {
    if (s.per_unit()) return support_function_units(s, lambda);
    const ClockAverages c = clock_averages(s, lambda);
    double F = 0;
    if (s.g_h > 0) {
        double bracket = s.a_h;
        if (s.r_term()) {
            const double d = std::norm(1.0 + s.tau_r * lambda);
            bracket += d == 0 ? kInf : s.g_r * s.g_r * s.a_r / d;
        }
        F += (c.A == 0 || bracket == 0) ? 0.0 : s.g_h * s.g_h * c.A * bracket;
    }
    if (s.z_term()) {
        const double d = std::norm(1.0 + s.tau_z * lambda);
        F += c.B == 0 ? 0.0 : (d == 0 ? kInf : s.g_z * s.g_z * s.a_z * c.B / d);
    }
    return F;
}

std::complex<double> support_center(const SupportModel& s) {
    const double s0 = s.gate_z(0.0);
    if (!s.per_unit() || s.gate_z.constant()) return {-s0 / s.tau_h, 0.0};
    double best = s.units.front().sz;
    for (const auto& u : s.units)
        if (std::abs(u.sz - s0) < std::abs(best - s0)) best = u.sz;
    return {-best / s.tau_h, 0.0};
}

std::vector<std::complex<double>> support_centers(const SupportModel& s) {
    std::vector<std::complex<double>> c{support_center(s)};
    if (s.r_term() && s.tau_r > 0) c.emplace_back(-1.0 / s.tau_r, 0.0);
    if (s.z_term() && s.tau_z > 0) c.emplace_back(-1.0 / s.tau_z, 0.0);
    return c;
}

bool in_inflated_support(const SupportModel& s, double factor, std::complex<double> lambda) {
    for (const auto& p : support_centers(s))
        if (in_support(s, p + (lambda - p) / factor)) return true;
    return false;
}

void BoundaryOptions::validate() const {
    if (rays < 8) throw BadInput("rays", "must be >= 8");
    if (radial_points < 16) throw BadInput("radial_points", "must be >= 16");
    if (!(tol > 0)) throw BadInput("tol", "must be > 0");
}

namespace {

// A radius beyond which F < 1 in every direction: F decays like 1/|lambda|^2, so double R until F < 1/2 on a circle of
// 256 points, then add half again. The gate blobs at -1/tau_r, -1/tau_z (poles of the r and z terms) are kept inside.
double find_R_max(const SupportModel& s, std::complex<double> c) {
    double R = 1.0 / s.tau_h;
    if (s.r_term() && s.tau_r > 0) R = std::max(R, 2 * std::abs(c + 1.0 / s.tau_r));
    if (s.z_term() && s.tau_z > 0) R = std::max(R, 2 * std::abs(c + 1.0 / s.tau_z));
    for (int it = 0; it < 60; ++it) {
        double Fmax = 0;
        for (int k = 0; k < 256; ++k) {
            const double th = 2 * std::numbers::pi * k / 256;
            Fmax = std::max(Fmax, support_function(s, c + std::polar(R, th)));
        }
        if (Fmax < 0.5) return 1.5 * R;
        R *= 2;
    }
    throw NumericalFailure("support boundary: F(lambda) does not fall below 1 at large |lambda|");
}

}  // namespace

double rightmost_on_real_axis(const SupportModel& s, double R_max, double tol) {
    const double c = support_center(s).real();
    auto F = [&](double x) { return support_function(s, {x, 0.0}); };
    // Scan from the right end inwards for the first point inside, then refine between it and its right neighbour.
    const int n = 4000;
    const double h = R_max / n;
    for (int j = n - 1; j >= 0; --j) {
        const double x = c + j * h;
        if (F(x) >= 1.0) return brent([&](double y) { return crossing_fn(F(y)); }, x, x + h, tol);
    }
    return c;  // not reached: F is infinite at the center
}

namespace {

// Crossings of F = 1 along the ray p + r e^{i th}, 0 <= r <= R, from a scan of n intervals refined by Brent's method;
// ordered from the outside in. With first_only, only the crossing nearest to p (the scan runs outwards from p).
std::vector<double> ray_crossings(const SupportModel& s, std::complex<double> p, double th, double R, int n, double tol,
                                  bool first_only) {
    const std::complex<double> e = std::polar(1.0, th);
    auto g = [&](double r) { return crossing_fn(support_function(s, p + r * e)); };
    const double dr = R / n;
    std::vector<double> roots;
    if (first_only) {
        double g_lo = g(0.0);  // p is a pole: F infinite, g = 1
        for (int j = 1; j <= n; ++j) {
            const double g_hi = g(j * dr);
            if ((g_lo >= 0) != (g_hi >= 0)) return {brent(g, (j - 1) * dr, j * dr, tol)};
            g_lo = g_hi;
        }
        return roots;
    }
    double g_hi = g(R);
    for (int j = n - 1; j >= 0; --j) {  // r = 0 is the center, where F is infinite (g = 1)
        const double r_lo = j * dr, g_lo = g(r_lo);
        if ((g_lo >= 0) != (g_hi >= 0)) roots.push_back(brent(g, r_lo, r_lo + dr, tol));
        g_hi = g_lo;
    }
    return roots;
}

}  // namespace

Boundary trace_boundary(const SupportModel& s, const BoundaryOptions& o) {
    o.validate();
    Boundary b;
    b.center = support_center(s);
    b.centers = support_centers(s);
    b.R_max = find_R_max(s, b.center);
    std::vector<BoundaryPoint> outer, inner;
    const double offset = s.per_unit() ? 0.5 : 0.0;
    for (int k = 0; k < o.rays; ++k) {
        const double th = 2 * std::numbers::pi * (k + offset) / o.rays;
        const std::vector<double> roots = ray_crossings(s, b.center, th, b.R_max, o.radial_points, o.tol, false);
        if (roots.size() > 1) ++b.rays_with_several_crossings;
        for (std::size_t c = 0; c < roots.size(); ++c) {
            const std::complex<double> p = b.center + std::polar(roots[c], th);
            (c == 0 ? outer : inner).push_back({p.real(), p.imag(), th, static_cast<int>(c), 0});
        }
    }
    b.star_shaped = b.rays_with_several_crossings == 0;
    b.points = outer;
    b.points.insert(b.points.end(), inner.begin(), inner.end());
    // Not star-shaped about c: trace the component around each gate pole by its own rays (first crossing outwards).
    if (!b.star_shaped)
        for (std::size_t m = 1; m < b.centers.size(); ++m) {
            const std::complex<double> p = b.centers[m];
            for (int k = 0; k < o.rays; ++k) {
                const double th = 2 * std::numbers::pi * k / o.rays;
                for (double r : ray_crossings(s, p, th, std::abs(p - b.center), o.radial_points, o.tol, true)) {
                    const std::complex<double> q = p + std::polar(r, th);
                    b.points.push_back({q.real(), q.imag(), th, 0, static_cast<int>(m)});
                }
            }
        }
    b.rightmost = b.center.real();
    for (const auto& p : b.points) b.rightmost = std::max(b.rightmost, p.x);
    b.rightmost_on_axis = rightmost_on_real_axis(s, b.R_max, std::min(o.tol, 1e-12));
    return b;
}

}  // namespace gdmft
