// Deterministic Gaussian closure (alpha_z = 0): the equations and the algorithm are documented in
// dmft/gaussian_closure.hpp.
#include "dmft/gaussian_closure.hpp"

#include "dmft/fixed_points.hpp"
#include "dmft/gate_statistics.hpp"
#include "dmft/lyapunov_schrodinger.hpp"
#include "numerics/chebyshev.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "numerics/timescales.hpp"

#include <Eigen/SparseLU>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <sstream>

namespace gdmft::closure {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Distance of the nearest complex singularity of phi from the real axis (tanh: pi/2); erf is entire
// and varies on the same scale (see gauss::rule_for_strip).
constexpr double kPhiStrip = std::numbers::pi / 2;

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

// Exponentially fitted three-point scheme for rho^2 y'' = y - S with step h (see the header).
// Rows are divided by 4 sinh^2(h/2rho) so that they read rho^2 y'' - y + S + O(h^4).
struct Fitted {
    double ch, a, b, scale;
    Fitted(double rho, double h) {
        const double x = h / rho;
        const double s = std::sinh(0.5 * x);
        const double four_s2 = 4 * s * s;
        ch = 1 + 0.5 * four_s2;
        const double x2 = x * x;
        // a = 1 - 4 sinh^2(x/2) / x^2, by its series where the difference cancels.
        a = x < 0.1 ? -(x2 / 12 + x2 * x2 / 360 + x2 * x2 * x2 / 20160) : 1 - four_s2 / x2;
        b = -four_s2 - 2 * a;
        scale = 1 / four_s2;
    }
};

// Linear combination of the unknowns' variations: the local Delta_k and Gamma_k, and the global
// Delta_0 (through c0), q, Gamma_0 (through R0).
struct Lin {
    double d = 0, g = 0, d0 = 0, q = 0, g0 = 0;
};
Lin operator+(Lin a, const Lin& b) {
    a.d += b.d; a.g += b.g; a.d0 += b.d0; a.q += b.q; a.g0 += b.g0;
    return a;
}
Lin operator-(Lin a, const Lin& b) {
    a.d -= b.d; a.g -= b.g; a.d0 -= b.d0; a.q -= b.q; a.g0 -= b.g0;
    return a;
}
Lin operator*(double s, Lin a) {
    a.d *= s; a.g *= s; a.d0 *= s; a.q *= s; a.g0 *= s;
    return a;
}

// Linear solve of rho^2 y'' = y - S on the grid (even at 0, tail ghost e^{-kappa h}); rho > 0.
std::vector<double> filter_solve(const std::vector<double>& S, double rho, double h, double kappa) {
    const std::size_t n = S.size();
    const Fitted f(rho, h);
    const double e = std::exp(-kappa * h);
    // Tridiagonal: lower l, diagonal d, upper u; right-hand side r (Thomas algorithm).
    std::vector<double> l(n, 1.0), d(n, -2 * f.ch), u(n, 1.0), r(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double Sm = k > 0 ? S[k - 1] : S[1];
        const double Sp = k + 1 < n ? S[k + 1] : e * S[n - 1];
        r[k] = f.a * (Sm + Sp) + f.b * S[k];
    }
    u[0] = 2.0;
    d[n - 1] += e;
    for (std::size_t k = 1; k < n; ++k) {
        const double w = l[k] / d[k - 1];
        d[k] -= w * u[k - 1];
        r[k] -= w * r[k - 1];
    }
    std::vector<double> y(n);
    y[n - 1] = r[n - 1] / d[n - 1];
    for (std::size_t k = n - 1; k-- > 0;) y[k] = (r[k] - u[k] * y[k + 1]) / d[k];
    return y;
}

// Tables of F(c) = g_h^2 C_sr(g_r^2 C_phi(c)) C_phi(c) + s^2 at fixed c0 (tau_r = 0 closure).
struct ParticleTables {
    gauss::PairTable phi, sr;
    double gh2, gr2, s2;
    double F(double c) const {
        const double P = phi.value(c);
        return gh2 * sr.value(gr2 * P) * P + s2;
    }
    double dF(double c) const {
        const double P = phi.value(c), P1 = phi.d_cov(c);
        return gh2 * P1 * (sr.value(gr2 * P) + gr2 * P * sr.d_cov(gr2 * P));
    }
};

ParticleTables particle_tables(const ModelParams& m, double c0, double tol) {
    ParticleTables t;
    t.gh2 = m.g_h * m.g_h;
    t.gr2 = m.g_r * m.g_r;
    t.s2 = m.input_std * m.input_std;
    t.phi = phi_table(m, c0, 0.0, tol);
    t.sr = gate_r_table(m, t.gr2 * t.phi.value(c0), 0.0, tol);
    return t;
}

// The smallest root of q = F(q) in [s^2, c0]. F is increasing and convex for c >= 0 (pair averages with
// c >= 0 are positive, increasing and convex in c by Price's theorem; so is their composition and
// product), so Newton from the left increases monotonically to it; none if F' reaches 1 first.
double plateau(const ParticleTables& t, double c0) {
    double q = t.s2;
    for (int it = 0; it < 100; ++it) {
        const double r = t.F(q) - q;
        const double slope = 1 - t.dF(q);
        if (std::abs(r) <= 1e-15 * std::max(1.0, c0)) return q;
        if (slope <= 0) return kNaN;
        const double qn = q + r / slope;
        if (qn > c0) return kNaN;
        if (std::abs(qn - q) <= 1e-15 * std::max(1.0, c0)) return qn;
        q = qn;
    }
    return q;
}

}  // namespace

gauss::PairTable phi_table(const ModelParams& m, double c0, double c_lo, double tol) {
    const Phi phi = m.phi_fn();
    return gauss::pair_table([&](double u) { return std::array<double, 3>{phi(u), phi.deriv(u), phi.deriv2(u)}; },
                             m.input_mean, c0, c_lo, kPhiStrip, tol);
}

gauss::PairTable gate_r_table(const ModelParams& m, double R0, double c_lo, double tol) {
    const Gate g = m.gate_r();
    if (g.constant()) {  // sigma_r = s_r0: <s s> = s_r0^2, no dependence on the covariances
        gauss::PairTable t;
        t.c0 = std::max(0.0, R0);
        const double s = g.at_zero();
        t.value = Chebyshev(0, 0, {s * s});
        t.d_cov = Chebyshev(0, 0, {0.0});
        t.d_var = Chebyshev(0, 0, {0.0});
        t.converged = true;
        return t;
    }
    auto g3 = [&](double u) {
        const double s = g(u);
        const double d = g.alpha * s * (1 - s);
        return std::array<double, 3>{s, d, g.alpha * d * (1 - 2 * s)};
    };
    return gauss::pair_table(g3, 0.0, R0, c_lo, std::numbers::pi / std::abs(g.alpha), tol);
}

LagPairAverages lag_pair_averages(const ModelParams& m, const std::vector<double>& C_h, const std::vector<double>& C_r,
                                  double tol) {
    const std::size_t n = C_h.size();
    LagPairAverages a;
    a.phi.resize(n), a.dphi.resize(n), a.sr.resize(n), a.dsr.resize(n);
    if (n == 0) return a;
    const double c0 = C_h[0];
    const double lo = *std::min_element(C_h.begin(), C_h.end());
    const gauss::PairTable phi = phi_table(m, c0, std::min(lo, 0.0) - 0.05 * c0, tol);
    for (std::size_t k = 0; k < n; ++k) {
        const double x = std::min(C_h[k], c0);
        a.phi[k] = phi.value(x);
        a.dphi[k] = phi.d_cov(x);
    }
    const Gate g = m.gate_r();
    if (g.constant()) {
        const double s = g.at_zero();
        std::fill(a.sr.begin(), a.sr.end(), s * s);
        std::fill(a.dsr.begin(), a.dsr.end(), 0.0);
        return a;
    }
    if (C_r.size() != n) throw std::invalid_argument("lag_pair_averages: C_r and C_h differ in length");
    const double R0 = C_r[0];
    const double rlo = *std::min_element(C_r.begin(), C_r.end());
    const gauss::PairTable sr = gate_r_table(m, R0, std::min(rlo, 0.0) - 0.05 * R0, tol);
    for (std::size_t k = 0; k < n; ++k) {
        const double x = std::min(C_r[k], R0);
        a.sr[k] = sr.value(x);
        a.dsr[k] = sr.d_cov(x);
    }
    return a;
}

double energy_residual(const ModelParams& m, double c0, double tol, double* q_out) {
    const ParticleTables t = particle_tables(m, c0, tol);
    const double q = plateau(t, c0);
    if (q_out) *q_out = q;
    if (!std::isfinite(q)) return kNaN;
    auto integrand = [&](double c) { return std::array<double, 1>{t.F(c) - c}; };
    return chebyshev_adaptive<1>(integrand, q, c0, tol).fn[0].integral();
}

EnergyPoint energy_point(const ModelParams& m, double c0, double tol) {
    EnergyPoint pt;
    const ParticleTables t = particle_tables(m, c0, tol);
    const double q = plateau(t, c0);
    pt.q = q;
    if (!std::isfinite(q)) return pt;
    auto integrand = [&](double c) { return std::array<double, 1>{t.F(c) - c}; };
    const auto cheb = chebyshev_adaptive<1>(integrand, q, c0, tol).fn[0];
    pt.E = cheb.integral();
    pt.kappa2 = 1 - t.dF(q);
    if (!(q < c0)) return pt;
    // Validity: the particle released at c0 must not turn before reaching q:
    // Psi(c) = int_c^c0 (F - c') dc' > 0 for c in (q, c0), on a fine grid by the trapezoid rule of the
    // interpolant. Psi vanishes quadratically at q (where E ~ 0 up to the root's tolerance), so a turning
    // point shows as a dip below zero relative to the largest Psi, not as rounding near q.
    const int K = 400;
    double psi = 0, prev = cheb(c0), psi_max = 0, psi_min = 0;
    for (int k = 1; k < K; ++k) {
        const double c = c0 - (c0 - q) * k / K;
        const double cur = cheb(c);
        psi += 0.5 * (prev + cur) * (c0 - q) / K;
        prev = cur;
        psi_max = std::max(psi_max, psi);
        psi_min = std::min(psi_min, psi);
    }
    pt.valid = psi_max > 0 && psi_min > -1e-6 * psi_max && pt.kappa2 > 0;
    return pt;
}

EnergyRoot energy_condition(const ModelParams& m, double c_max, double tol) {
    EnergyRoot out;
    if (!(c_max > 0)) {
        out.message = "zero variance bound: no chaotic solution";
        return out;
    }
    auto E = [&](double c0) {
        ++out.evaluations;
        return energy_residual(m, c0, tol);
    };
    // E(c_max) <= 0 (F is convex with F(q) = q, F(c_max) = c_max at the largest fixed point). Scan down
    // geometrically for the first c0 with E > 0: the largest root lies between.
    gsl_set_error_handler_off();
    gsl_root_fsolver* solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    struct Ctx { decltype(E)* f; } ctx{&E};
    gsl_function F;
    F.function = [](double x, void* p) { return (*static_cast<Ctx*>(p)->f)(x); };
    F.params = &ctx;

    // The plateau q(c0) can cease to exist (a saddle-node of q = F(q)) below some c0: where E turns from
    // finite to NaN between two scan points, bisect for a point with E > 0 before moving on.
    // Steps of 10% down to c_max/100 (chaotic roots lie there unless the transition is approached),
    // then of 30% down to 1e-7 c_max.
    double hi = c_max, E_hi = E(hi);
    const double floor = 1e-7 * c_max;
    for (double lo = hi * 0.9; lo >= floor; lo *= (lo > 1e-2 * c_max ? 0.9 : 0.7)) {
        double E_lo = E(lo);
        if (std::isfinite(E_hi) && E_hi <= 0 && !std::isfinite(E_lo)) {
            double a = lo, b = hi;  // E(a) NaN, E(b) <= 0
            for (int it = 0; it < 30 && b - a > 1e-9 * c_max; ++it) {
                const double mid = 0.5 * (a + b), E_mid = E(mid);
                if (!std::isfinite(E_mid)) {
                    a = mid;
                } else if (E_mid > 0) {
                    lo = mid;
                    E_lo = E_mid;
                    break;
                } else {
                    b = mid;
                    hi = mid;
                    E_hi = E_mid;
                }
            }
        }
        if (std::isfinite(E_lo) && std::isfinite(E_hi) && E_lo > 0 && E_hi <= 0) {
            double root = lo;
            if (E_hi == 0) {
                root = hi;
            } else {
                gsl_root_fsolver_set(solver, &F, lo, hi);
                for (int it = 0; it < 100; ++it) {
                    gsl_root_fsolver_iterate(solver);
                    root = gsl_root_fsolver_root(solver);
                    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver),
                                               0.0, 1e-11) == GSL_SUCCESS)
                        break;
                }
            }
            const EnergyPoint pt = energy_point(m, root, tol);
            const bool valid = pt.valid;
            const double q = pt.q;
            if (valid) {
                out.found = true;
                out.c0 = root;
                out.q = q;
                out.kappa = pt.kappa2 > 0 ? std::sqrt(pt.kappa2) : 0.0;
                break;
            }
        }
        hi = lo;
        E_hi = E_lo;
    }
    gsl_root_fsolver_free(solver);
    if (!out.found) out.message = "the energy condition has no root with a decaying separatrix below c0 = " + fmt(c_max);
    return out;
}

// ---------------------------------------------------------------------------------------------------
// Lag-grid system.

LagSystem::LagSystem(const ModelParams& m, double h, std::size_t n, double table_tol)
    : m_(m), h_(h), n_(n), table_tol_(table_tol) {
    if (n < 3) throw BadInput("n", "need at least 3 lags (LagSystem)");
    dyn_r_ = !m.gate_r().constant() && m.tau_r > 0;
    rho_r_ = m.gate_z().at_zero() * m.tau_r / m.tau_h;
}

LagSystem::Eval LagSystem::evaluate(const Eigen::VectorXd& x) const {
    Eval e;
    const double gh2 = m_.g_h * m_.g_h, gr2 = m_.g_r * m_.g_r;
    e.q = x[iq()];
    e.c0 = e.q + x[0];
    e.C.resize(n_);
    double c_lo = std::min(0.0, e.q);
    for (std::size_t k = 0; k < n_; ++k) {
        e.C[k] = e.q + x[k];
        c_lo = std::min(c_lo, e.C[k]);
    }
    // Tables over the covariances present (a small margin below for the Jacobian's neighbourhood).
    const double c0 = std::max(e.c0, 0.0);
    e.phi = phi_table(m_, c0, c_lo - 0.05 * c0, table_tol_);
    e.P.resize(n_); e.P1.resize(n_); e.P2.resize(n_);
    for (std::size_t k = 0; k < n_; ++k) {
        e.P[k] = e.phi.value(e.C[k]);
        e.P1[k] = e.phi.d_cov(e.C[k]);
        e.P2[k] = e.phi.d_var(e.C[k]);
    }
    e.Pq = e.phi.value(e.q); e.P1q = e.phi.d_cov(e.q); e.P2q = e.phi.d_var(e.q);
    e.P0 = e.phi.value(c0); e.P10 = e.phi.d_cov(c0); e.P20 = e.phi.d_var(c0);

    e.R.resize(n_);
    e.Rq = gr2 * e.Pq;
    if (dyn_r_) {
        for (std::size_t k = 0; k < n_; ++k) e.R[k] = e.Rq + x[iG(k)];
    } else {
        for (std::size_t k = 0; k < n_; ++k) e.R[k] = gr2 * e.P[k];
    }
    e.R0 = std::max(e.R[0], 0.0);
    double r_lo = std::min(0.0, e.Rq);
    for (double r : e.R) r_lo = std::min(r_lo, r);
    e.sr = gate_r_table(m_, e.R0, r_lo - 0.05 * e.R0, table_tol_);
    e.Q.resize(n_); e.G1.resize(n_); e.G2.resize(n_);
    for (std::size_t k = 0; k < n_; ++k) {
        e.Q[k] = e.sr.value(e.R[k]);
        e.G1[k] = e.sr.d_cov(e.R[k]);
        e.G2[k] = e.sr.d_var(e.R[k]);
    }
    e.Qq = e.sr.value(e.Rq); e.G1q = e.sr.d_cov(e.Rq); e.G2q = e.sr.d_var(e.Rq);

    e.S.resize(n_);
    for (std::size_t k = 0; k < n_; ++k) e.S[k] = gh2 * (e.Q[k] * e.P[k] - e.Qq * e.Pq);
    if (dyn_r_) {
        e.Sr.resize(n_);
        for (std::size_t k = 0; k < n_; ++k) e.Sr[k] = gr2 * (e.P[k] - e.Pq);
    }
    return e;
}

std::pair<double, double> LagSystem::tail_rates(const Eval& e) const {
    const double gh2 = m_.g_h * m_.g_h, gr2 = m_.g_r * m_.g_r;
    // Linearisation at the plateau, local part only: dS = gh2 (Qq P1q dC + Pq G1q dR), dSr = gr2 P1q dC.
    const double A = gh2 * e.Qq * e.P1q, B = gh2 * e.Pq * e.G1q, D = gr2 * e.P1q;
    if (!dyn_r_) {
        const double k2 = 1 - A - B * D;
        return {k2 > 0 ? std::sqrt(k2) : 0.0, 0.0};
    }
    // e^{-kappa u}: (1 - kappa^2 - A)(1 - rho^2 kappa^2) = B D; the smallest root kappa^2 governs the tail.
    const double r2 = rho_r_ * rho_r_;
    const double bq = r2 * (1 - A) + 1, cq = 1 - A - B * D;
    if (cq <= 0) return {0.0, 0.0};
    const double k2 = (bq - std::sqrt(std::max(0.0, bq * bq - 4 * r2 * cq))) / (2 * r2);
    const double kh = std::sqrt(std::max(0.0, k2));
    return {kh, std::min(kh, 1 / rho_r_)};
}

Eigen::VectorXd LagSystem::residual(const Eval& e, const Eigen::VectorXd& x) const {
    Eigen::VectorXd r(size());
    const double gh2 = m_.g_h * m_.g_h, s2 = m_.input_std * m_.input_std;
    // rho^2 y'' = y - S rows; y_k = x[col0 + k].
    auto rows = [&](std::size_t col0, const std::vector<double>& S, double rho, double kappa, std::size_t row0) {
        const Fitted f(rho, h_);
        const double ee = std::exp(-kappa * h_);
        auto y = [&](std::size_t k) { return x[col0 + k]; };
        for (std::size_t k = 0; k < n_; ++k) {
            const double ym = k > 0 ? y(k - 1) : y(1);
            const double yp = k + 1 < n_ ? y(k + 1) : ee * y(n_ - 1);
            const double Sm = k > 0 ? S[k - 1] : S[1];
            const double Sp = k + 1 < n_ ? S[k + 1] : ee * S[n_ - 1];
            r[row0 + k] = f.scale * (ym - 2 * f.ch * y(k) + yp - f.a * (Sm + Sp) - f.b * S[k]);
        }
    };
    rows(0, e.S, 1.0, kappa_h_, 0);
    r[iq()] = e.q - gh2 * e.Qq * e.Pq - s2;
    if (dyn_r_) rows(iG(0), e.Sr, rho_r_, kappa_r_, iG(0));
    return r;
}

Eigen::SparseMatrix<double> LagSystem::jacobian(const Eval& e) const {
    const double gh2 = m_.g_h * m_.g_h, gr2 = m_.g_r * m_.g_r;
    // Variations (see the header): x_k = q + Delta_k, c0 = q + Delta_0.
    const Lin dq{0, 0, 0, 1, 0}, dc0{0, 0, 1, 1, 0}, dxk{1, 0, 0, 1, 0};
    const Lin dPq = e.P1q * dq + e.P2q * dc0;
    Lin dR0, dRq = gr2 * dPq;
    if (dyn_r_) dR0 = gr2 * dPq + Lin{0, 0, 0, 0, 1};
    else dR0 = gr2 * (e.P10 + e.P20) * dc0;
    const Lin dQq = e.G1q * dRq + e.G2q * dR0;
    std::vector<Lin> dS(n_), dSr(dyn_r_ ? n_ : 0);
    for (std::size_t k = 0; k < n_; ++k) {
        const Lin dPk = e.P1[k] * dxk + e.P2[k] * dc0;
        const Lin dRk = dyn_r_ ? gr2 * dPq + Lin{0, 1, 0, 0, 0} : gr2 * dPk;
        const Lin dQk = e.G1[k] * dRk + e.G2[k] * dR0;
        dS[k] = gh2 * (e.P[k] * dQk + e.Q[k] * dPk - e.Pq * dQq - e.Qq * dPq);
        if (dyn_r_) dSr[k] = gr2 * (dPk - dPq);
    }

    std::vector<Eigen::Triplet<double>> T;
    T.reserve(size() * 20);
    auto add_lin = [&](std::size_t row, std::size_t k, double c, const Lin& L) {
        if (c == 0) return;
        if (L.d) T.emplace_back(row, k, c * L.d);
        if (L.g) T.emplace_back(row, iG(k), c * L.g);
        if (L.d0) T.emplace_back(row, 0, c * L.d0);
        if (L.q) T.emplace_back(row, iq(), c * L.q);
        if (L.g0) T.emplace_back(row, iG(0), c * L.g0);
    };
    // rho^2 y'' = y - S rows: y-part (y_k is unknown col0 + k) and S-part.
    auto rows = [&](std::size_t col0, const std::vector<Lin>& dSv, double rho, double kappa, std::size_t row0) {
        auto col = [&](std::size_t k) { return col0 + k; };
        const Fitted f(rho, h_);
        const double ee = std::exp(-kappa * h_);
        for (std::size_t k = 0; k < n_; ++k) {
            const std::size_t row = row0 + k;
            const double s = f.scale;
            if (k == 0) {
                T.emplace_back(row, col(0), -2 * f.ch * s);
                T.emplace_back(row, col(1), 2 * s);
                add_lin(row, 0, -s * f.b, dSv[0]);
                add_lin(row, 1, -s * 2 * f.a, dSv[1]);
            } else if (k + 1 < n_) {
                T.emplace_back(row, col(k - 1), s);
                T.emplace_back(row, col(k), -2 * f.ch * s);
                T.emplace_back(row, col(k + 1), s);
                add_lin(row, k - 1, -s * f.a, dSv[k - 1]);
                add_lin(row, k, -s * f.b, dSv[k]);
                add_lin(row, k + 1, -s * f.a, dSv[k + 1]);
            } else {
                T.emplace_back(row, col(k - 1), s);
                T.emplace_back(row, col(k), (ee - 2 * f.ch) * s);
                add_lin(row, k - 1, -s * f.a, dSv[k - 1]);
                add_lin(row, k, -s * (f.b + f.a * ee), dSv[k]);
            }
        }
    };
    rows(0, dS, 1.0, kappa_h_, 0);
    add_lin(iq(), 0, 1.0, dq - gh2 * (e.Pq * dQq + e.Qq * dPq));  // plateau row: global terms only
    if (dyn_r_) rows(iG(0), dSr, rho_r_, kappa_r_, iG(0));

    Eigen::SparseMatrix<double> J(size(), size());
    J.setFromTriplets(T.begin(), T.end());
    return J;
}

// ---------------------------------------------------------------------------------------------------
// The solver.

namespace {

struct NewtonReport {
    bool converged = false;
    bool finite = true;
    int iterations = 0;
    double last_dc0 = kNaN;
    std::string message;
};

// Newton on the lag-grid system from x (updated in place); `e` returns the evaluation at the final x.
// Converged when a full step changes C_h(0) by at most tol * max(1, C_h(0)) and no unknown by more than
// 10 tol * max(1, C_h(0)) (quadratic convergence: the remaining error is far smaller).
NewtonReport newton(LagSystem& sys, Eigen::VectorXd& x, LagSystem::Eval& e, double tol, int max_it,
                    std::vector<double>& history, Progress& progress, int it_offset) {
    NewtonReport rep;
    Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu;
    bool analysed = false;
    e = sys.evaluate(x);
    for (int it = 0; it < max_it; ++it) {
        const auto [kh, kr] = sys.tail_rates(e);
        sys.set_tail_rates(kh, kr);
        const Eigen::VectorXd r = sys.residual(e, x);
        if (!r.allFinite()) {
            rep.finite = false;
            rep.message = "non-finite residual";
            return rep;
        }
        const double rnorm = r.lpNorm<Eigen::Infinity>();
        const Eigen::SparseMatrix<double> J = sys.jacobian(e);
        if (!analysed) {
            lu.analyzePattern(J);
            analysed = true;
        }
        lu.factorize(J);
        if (lu.info() != Eigen::Success) {
            rep.message = "singular Jacobian";
            return rep;
        }
        const Eigen::VectorXd dx = -lu.solve(r);
        if (!dx.allFinite()) {
            rep.finite = false;
            rep.message = "non-finite Newton step";
            return rep;
        }
        // Backtracking: keep c0 > q (a decaying solution) and R0 >= 0, and decrease the residual unless
        // the step is already small.
        const double scale = std::max(1.0, e.c0);
        double lam = 1.0;
        Eigen::VectorXd xn;
        LagSystem::Eval en;
        bool accepted = false;
        for (int ls = 0; ls < 12 && !accepted; ++ls, lam *= 0.5) {
            xn = x + lam * dx;
            if (!(xn[0] > 0)) continue;
            en = sys.evaluate(xn);
            if (sys.dynamic_r() && !(en.R[0] > 0)) continue;
            if (lam * dx.lpNorm<Eigen::Infinity>() < 1e-3 * scale) {
                accepted = true;
                break;
            }
            const Eigen::VectorXd rn = sys.residual(en, xn);
            if (rn.allFinite() && rn.lpNorm<Eigen::Infinity>() < (1 - 1e-4 * lam) * rnorm) {
                accepted = true;
                break;
            }
        }
        ++rep.iterations;
        if (!accepted) {
            rep.message = "line search failed (residual " + fmt(rnorm) + ")";
            return rep;
        }
        const double dc0 = lam * (dx[0] + dx[sys.iq()]);
        x = xn;
        e = std::move(en);
        rep.last_dc0 = std::abs(dc0);
        history.push_back(rep.last_dc0);
        progress.update(it_offset + it + 1, "|dC_h0| = " + fmt(rep.last_dc0));
        if (lam == 1.0 && std::abs(dc0) <= tol * scale && dx.lpNorm<Eigen::Infinity>() <= 10 * tol * scale) {
            rep.converged = true;
            return rep;
        }
    }
    rep.message = "no convergence in " + std::to_string(max_it) + " Newton iterations (|dC_h0| = " + fmt(rep.last_dc0) + ")";
    return rep;
}

// The separatrix of the tau_r = 0 particle, C'' = C - F(C), as the initial guess on u_k = k h: integrated
// backward from the linearised tail C = q + eps e^{-kappa u} (a stable direction when integrated
// backward) to the turning point C' = 0, which is u = 0.
std::vector<double> separatrix(const ModelParams& m, double c0, double q, double kappa, double h, std::size_t n) {
    const ParticleTables t = particle_tables(m, c0, 1e-10);
    const double eps = 1e-6 * (c0 - q);
    const double dt = 0.25 * h;
    // w(s) = C(u_top - s): w'' = w - F(w), w(0) = q + eps, w'(0) = kappa eps.
    std::vector<double> w{q + eps}, wp{kappa * eps};
    auto acc = [&](double c) { return c - t.F(c); };
    const double s_max = 10 * (std::log((c0 - q) / eps) + 10) / std::max(kappa, 1e-3);
    double s_top = -1;
    for (double s = 0; s < s_max; s += dt) {
        const double y = w.back(), v = wp.back();
        const double k1y = v, k1v = acc(y);
        const double k2y = v + 0.5 * dt * k1v, k2v = acc(y + 0.5 * dt * k1y);
        const double k3y = v + 0.5 * dt * k2v, k3v = acc(y + 0.5 * dt * k2y);
        const double k4y = v + dt * k3v, k4v = acc(y + dt * k3y);
        const double yn = y + dt / 6 * (k1y + 2 * k2y + 2 * k3y + k4y);
        const double vn = v + dt / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
        w.push_back(yn);
        wp.push_back(vn);
        if (vn <= 0) {  // turning point between the last two samples
            s_top = s + dt * v / (v - vn);
            break;
        }
    }
    std::vector<double> C(n);
    if (s_top < 0) {  // no turning point (inconsistent tables): an exponential with the right ends
        for (std::size_t k = 0; k < n; ++k) C[k] = q + (c0 - q) * std::exp(-kappa * k * h);
        return C;
    }
    for (std::size_t k = 0; k < n; ++k) {
        const double s = s_top - k * h;
        if (s <= 0) {
            C[k] = q + eps * std::exp(-kappa * (-s));
            continue;
        }
        // Cubic Hermite interpolation in the RK samples (values and slopes).
        const std::size_t i = std::min(static_cast<std::size_t>(s / dt), w.size() - 2);
        const double tt = s / dt - i;
        const double h00 = (1 + 2 * tt) * (1 - tt) * (1 - tt), h10 = tt * (1 - tt) * (1 - tt);
        const double h01 = tt * tt * (3 - 2 * tt), h11 = tt * tt * (tt - 1);
        C[k] = h00 * w[i] + h10 * dt * wp[i] + h01 * w[i + 1] + h11 * dt * wp[i + 1];
    }
    return C;
}

// Newton for the target problem on a fixed grid. x enters as [Delta, q] (the tau_r = 0 layout) and
// leaves in the target layout: for a dynamic r gate, the tau_r = 0 problem is solved first, Gamma is
// initialised from it (C_r = g_r^2 C_phi) and tau_r is raised in steps (doubled on success, halved on
// failure). Intermediate solves stop at 1e-6; the last one at tol.
NewtonReport solve_on_grid(const ModelParams& m, double h, std::size_t n, Eigen::VectorXd& x, LagSystem::Eval& e,
                           const StationaryOptions& o, int& iterations, std::vector<double>& history, Progress& progress) {
    ModelParams m0 = m;
    m0.tau_r = 0;
    LagSystem sys0(m0, h, n);
    const bool dyn_r = LagSystem(m, h, n).dynamic_r();
    NewtonReport rep = newton(sys0, x, e, dyn_r ? 1e-6 : o.tol, o.max_iterations - iterations, history, progress, iterations);
    iterations += rep.iterations;
    if (!rep.converged || !dyn_r) return rep;

    Eigen::VectorXd xg(2 * n + 1);
    xg.head(n + 1) = x;
    for (std::size_t k = 0; k < n; ++k) xg[n + 1 + k] = e.R[k] - e.Rq;
    double t_done = 0, step = 1;
    while (t_done < 1) {
        if (iterations >= o.max_iterations) {
            rep.converged = false;
            rep.message = "iteration budget exhausted during the continuation in tau_r (reached tau_r = " +
                          fmt(t_done * m.tau_r) + ")";
            break;
        }
        const double t = std::min(1.0, t_done + step);
        ModelParams mt = m;
        mt.tau_r = t * m.tau_r;
        LagSystem sys(mt, h, n);
        Eigen::VectorXd xt = xg;
        LagSystem::Eval et;
        rep = newton(sys, xt, et, t < 1 ? 1e-6 : o.tol, o.max_iterations - iterations, history, progress, iterations);
        iterations += rep.iterations;
        if (rep.converged) {
            xg = xt;
            e = std::move(et);
            t_done = t;
            step *= 2;
        } else if ((step *= 0.5) < 1.0 / 256) {
            rep.message = "continuation in tau_r stalled at tau_r = " + fmt(t_done * m.tau_r) + " (" + rep.message + ")";
            break;
        }
    }
    x = xg;
    return rep;
}

// Lag grid and response kernel R(tau) = (s0/tau_h) e^{-s0 tau/tau_h} (tau in time units).
void fill_lags(StationaryResult& res, const ModelParams& m, double dt, std::size_t n) {
    const double s0 = m.gate_z().at_zero();
    res.tau.resize(n);
    res.R.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        res.tau[k] = k * dt * m.tau_h;
        res.R[k] = (s0 / m.tau_h) * std::exp(-s0 * res.tau[k] / m.tau_h);
    }
    res.tau_response = mean_response_time(res.tau, res.R);
}

// No chaotic solution: the stationary state is the static fixed point (the smallest root of the
// fixed-point equation), C_h(tau) = Delta_h for every tau; converged iff that fixed point is stable.
void static_result(StationaryResult& res, const ModelParams& m, const StationaryOptions& o,
                   const FixedPointBranch& fp, std::size_t n, std::ostringstream& msg) {
    const Phi phi = m.phi_fn();
    const Gate gr = m.gate_r();
    const double s0 = m.gate_z().at_zero();
    const double q = fp.Delta_h;
    fill_lags(res, m, o.grid.dt, n);
    const double mphi = gauss::mean(phi, m.input_mean, q);
    const double p2 = gauss::mean([&](double u) { const double p = phi(u); return p * p; }, m.input_mean, q);
    const double ms = gate_mean(gr, fp.Delta_r), ms2 = gate_mean_sq(gr, fp.Delta_r);
    res.C_h.assign(n, q);
    res.C_phi.assign(n, p2 - mphi * mphi);
    res.C_r.assign(n, fp.Delta_r);
    res.C_z.assign(n, fp.Delta_z);
    res.C_srphi.assign(n, ms2 * p2 - ms * ms * mphi * mphi);
    res.C_h0 = res.q_h = q;
    res.C_phi0 = res.q_phi = p2 - mphi * mphi;
    res.C_r0 = fp.Delta_r;
    res.C_z0 = fp.Delta_z;
    res.tau_corr = kNaN;  // no fluctuations
    res.iterations = 0;
    res.residual = 0;
    res.termination = Termination::NoChaoticSolution;
    res.converged = fp.stable;
    msg << "static solution at the fixed point Delta_h = " << fmt(q) << " with G = " << fmt(fp.G)
        << (fp.stable ? " (stable)" : " (UNSTABLE: no stationary solution found)");
    if (o.lyapunov) {
        // Jacobian support edge at a fixed point (alpha_z = 0, instantaneous or constant r gate):
        // lambda = (s0/tau_h)(-1 + sqrt(G)) (THEORY.md section 4). A dynamic r gate: lyapunov_max.
        if (gr.constant() || m.tau_r == 0) {
            res.lambda_max = (s0 / m.tau_h) * (-1 + std::sqrt(fp.G));
            res.lambda_method = to_string(LyapunovMethod::FixedPoint);
        }
    }
}

}  // namespace

}  // namespace gdmft::closure

namespace gdmft {

namespace {

StationaryResult solve_gaussian_impl(const ModelParams& m, const StationaryOptions& options,
                                     const closure::EnergyRoot* given) {
    using namespace closure;
    m.validate();
    StationaryOptions o = options;
    if (o.grid.dt == 0) o.grid.dt = gaussian_default_dt;
    o.validate();
    if (m.alpha_z != 0)
        throw BadInput("alpha_z", "the Gaussian closure needs alpha_z = 0 (sigma_z constant); use the sampled method");

    StationaryResult res;
    res.method = "gaussian";
    const double s0 = m.gate_z().at_zero();
    const double h = s0 * o.grid.dt;  // lag step in u = s0 t / tau_h
    const double gh2 = m.g_h * m.g_h, gr2 = m.g_r * m.g_r, gz2 = m.g_z * m.g_z;
    const double rho_r = s0 * m.tau_r / m.tau_h, rho_z = s0 * m.tau_z / m.tau_h;
    const Gate gr = m.gate_r();
    const bool dyn_r = !gr.constant() && m.tau_r > 0;
    res.mean_sigma_z = s0;
    res.mean_h = m.input_mean;
    std::ostringstream msg;

    // Lag grid (u units): the user's window (in units of tau_h) or 18 decay lengths of the tail.
    const bool user_window = o.grid.window > 0;
    auto grid_points = [&](double T_u) { return static_cast<std::size_t>(std::ceil(T_u / h - 1e-9)) + 1; };
    constexpr std::size_t kMaxPoints = 200001;
    auto auto_window = [&](double kappa) {
        return std::min(std::max(20.0, 18.0 / std::max(kappa, 1e-12)), (kMaxPoints - 1) * h);
    };

    // (1) Fixed points: the static branch (smallest root) and the variance bound (largest root).
    const auto fps = fixed_points(m);
    if (fps.empty()) throw NumericalFailure("solve_gaussian: no root of the fixed-point equation found");
    const FixedPointBranch& fp_static = fps.front();

    // (2) The chaotic branch of the tau_r = 0 problem (identical to the full one for a constant r gate).
    ModelParams m0 = m;
    m0.tau_r = 0;
    const EnergyRoot er = given ? *given : energy_condition(m0, fps.back().Delta_h);
    if (!er.found) {
        msg << "no chaotic solution (" << er.message << ", " << er.evaluations << " evaluations); ";
        static_result(res, m, o, fp_static, grid_points(user_window ? s0 * o.grid.window : 20.0), msg);
        res.message = msg.str();
        return res;
    }

    // (3) Initial guess: the separatrix of the tau_r = 0 particle.
    double T_u = user_window ? s0 * o.grid.window : auto_window(dyn_r ? std::min(er.kappa, 1 / rho_r) : er.kappa);
    std::size_t n = grid_points(T_u);
    const std::vector<double> C_init = separatrix(m0, er.c0, er.q, er.kappa, h, n);
    Eigen::VectorXd x(n + 1);
    for (std::size_t k = 0; k < n; ++k) x[k] = C_init[k] - er.q;
    x[n] = er.q;

    // (4) Newton on the lag grid (with the continuation in tau_r for a dynamic r gate); for an automatic
    // window, extend it along the tail and re-solve if the converged tail decays more slowly than assumed.
    Progress progress(o.observer, "gaussian closure", o.max_iterations);
    LagSystem::Eval e;
    NewtonReport rep = solve_on_grid(m, h, n, x, e, o, res.iterations, res.residual_history, progress);
    auto tail_rate = [&](const LagSystem::Eval& ev) {
        const auto [kh, kr] = LagSystem(m, h, n).tail_rates(ev);
        return dyn_r ? std::min(kh, kr) : kh;
    };
    for (int pass = 0; pass < 3 && rep.converged && !user_window; ++pass) {
        const double kappa = tail_rate(e);
        const double T_needed = auto_window(kappa);
        if (T_needed <= 1.05 * T_u) break;
        const std::size_t n_new = grid_points(T_needed);
        const std::size_t blocks = dyn_r ? 2 : 1;
        Eigen::VectorXd xe(blocks * n_new + 1);
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t src = b == 0 ? 0 : n + 1, dst = b == 0 ? 0 : n_new + 1;
            for (std::size_t k = 0; k < n_new; ++k)
                xe[dst + k] = k < n ? x[src + k] : x[src + n - 1] * std::exp(-kappa * double(k - n + 1) * h);
        }
        xe[n_new] = x[n];
        x = xe;
        n = n_new;
        T_u = T_needed;
        LagSystem sys(m, h, n);
        rep = newton(sys, x, e, o.tol, o.max_iterations - res.iterations, res.residual_history, progress, res.iterations);
        res.iterations += rep.iterations;
    }
    if (rep.converged && !(x[0] > 1e-6 * std::max(1.0, e.c0))) {
        rep.converged = false;
        rep.message = "the solution collapsed onto the static branch (C_h(0) - q = " + fmt(x[0]) +
                      "): the chaotic solution does not fit the window";
    }
    progress.finish(rep.converged ? "converged" : "not converged");
    if (grid_points(T_u) >= kMaxPoints) msg << "window capped at " << kMaxPoints << " lags (slow tail); ";
    if (user_window && rep.converged && T_u < 18.0 / tail_rate(e))
        msg << "window shorter than 18 tail decay lengths (" << fmt(18.0 / tail_rate(e) / s0 * m.tau_h)
            << " time units): the tail is truncated; ";

    res.residual = rep.last_dc0;
    res.residual_target = o.tol;
    res.converged = rep.converged;
    if (!rep.finite) res.termination = Termination::NotFinite;
    else if (rep.converged) res.termination = Termination::Converged;
    else if (res.iterations >= o.max_iterations) res.termination = Termination::MaxIterations;
    else res.termination = Termination::Diverged;
    if (!rep.converged) msg << rep.message << "; ";

    // Outputs (centred second moments; see dmft/stationary.hpp).
    fill_lags(res, m, o.grid.dt, n);
    const double mphi = gauss::mean(m.phi_fn(), m.input_mean, e.c0);
    res.C_h = e.C;
    res.C_phi.resize(n);
    for (std::size_t k = 0; k < n; ++k) res.C_phi[k] = e.P[k] - mphi * mphi;
    // C_r: a dynamic gate's from the unknowns; a constant gate's (tau_r > 0) from the low-pass filter;
    // C_z always by the filter (neither feeds back). The sources decay like the h tail.
    const double kappa_h = LagSystem(m, h, n).tail_rates(e).first;
    auto low_pass = [&](double g2, double rho) {
        std::vector<double> src(n);
        for (std::size_t k = 0; k < n; ++k) src[k] = g2 * (e.P[k] - e.Pq);
        std::vector<double> out = filter_solve(src, rho, h, std::min(kappa_h, 1 / rho));
        for (double& v : out) v += g2 * e.Pq;
        return out;
    };
    res.C_r = (!dyn_r && m.tau_r > 0) ? low_pass(gr2, rho_r) : e.R;
    if (rho_z > 0) {
        res.C_z = low_pass(gz2, rho_z);
    } else {
        res.C_z.resize(n);
        for (std::size_t k = 0; k < n; ++k) res.C_z[k] = gz2 * e.P[k];
    }
    const double msr = gate_mean(gr, e.R0);
    res.C_srphi.resize(n);
    for (std::size_t k = 0; k < n; ++k) res.C_srphi[k] = e.Q[k] * e.P[k] - msr * msr * mphi * mphi;

    res.C_h0 = e.c0;
    res.q_h = e.q;
    res.C_phi0 = e.P0 - mphi * mphi;
    res.q_phi = e.Pq - mphi * mphi;
    res.C_r0 = res.C_r[0];
    res.C_z0 = res.C_z[0];
    res.tau_corr = correlation_time(res.tau, res.C_h, e.q);
    msg << "energy condition C_h(0) = " << fmt(er.c0) << (dyn_r ? " at tau_r = 0" : "") << ", lag grid " << n
        << " points over " << fmt(T_u / s0 * m.tau_h) << " time units";
    if (fp_static.stable) {
        res.coexists_with_stable_fixed_point = true;
        res.stable_fixed_point_Delta_h = fp_static.Delta_h;
        msg << "; coexists with a stable fixed point at Delta_h = " << fmt(fp_static.Delta_h);
    }

    // Lyapunov exponent (section 5): W = g_h^2 [C_sr C_phi' + g_r^2 C_sr' C_phi C_phi'] at each lag.
    if (o.lyapunov) {
        if (!dyn_r) {
            std::vector<double> W(n);
            for (std::size_t k = 0; k < n; ++k) W[k] = gh2 * (e.Q[k] * e.P1[k] + gr2 * e.G1[k] * e.P[k] * e.P1[k]);
            const SchrodingerLowest sl = schrodinger_lowest(W, h);
            res.lambda_max = (s0 / m.tau_h) * sl.lambda_u();
            res.zero_mode_eigenvalue = sl.E1;
            res.lambda_method = to_string(LyapunovMethod::Schrodinger);
        }  // a dynamic r gate: lyapunov_max (dmft/lyapunov.hpp) takes a tangent route
    }
    res.message = msg.str();
    return res;
}

}  // namespace

StationaryResult solve_gaussian(const ModelParams& m, const StationaryOptions& options) {
    return solve_gaussian_impl(m, options, nullptr);
}

StationaryResult closure::solve_gaussian_on_branch(const ModelParams& m, const StationaryOptions& options,
                                                   const EnergyRoot& root) {
    return solve_gaussian_impl(m, options, &root);
}

}  // namespace gdmft
