// Singular values of K = A + B Jr C and the spectrum of Jh K (see the header; docs/complexity.md section 8).
#include "dmft/k_spectrum.hpp"

#include "numerics/brent.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gdmft {

namespace {

// One pass over the law at (t, p, p'): Phi = <ln W> - p p' / (t g_r^2), its gradient in (t, p, p') and Hessian.
struct Pass {
    double Phi = 0;
    double g[3] = {0, 0, 0};             // d/dt, d/dp, d/dp'
    double H[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
};

Pass pass(const GateSiteLaw& L, double gr2, double t, double p, double pp) {
    Pass o;
    double lw = 0, g0 = 0, g1 = 0, g2 = 0, h00 = 0, h01 = 0, h02 = 0, h11 = 0, h12 = 0, h22 = 0;
    for (std::size_t k = 0; k < L.w.size(); ++k) {
        const double a2 = L.a2[k], b2 = L.b2[k], c2 = L.c2[k], w = L.w[k];
        const double Wt = a2, Wp = b2 * (1 + c2 * pp), Wq = c2 * (1 + b2 * p);
        const double W = (1 + b2 * p) * (1 + c2 * pp) + t * a2;
        const double iW = 1 / W;
        const double e0 = Wt * iW, e1 = Wp * iW, e2 = Wq * iW;
        lw += w * std::log(W);
        g0 += w * e0, g1 += w * e1, g2 += w * e2;
        h00 -= w * e0 * e0, h01 -= w * e0 * e1, h02 -= w * e0 * e2;
        h11 -= w * e1 * e1, h22 -= w * e2 * e2;
        h12 += w * (b2 * c2 * iW - e1 * e2);
    }
    const double k = 1 / (t * gr2);
    o.Phi = lw - p * pp * k;
    o.g[0] = g0 + p * pp * k / t;
    o.g[1] = g1 - pp * k;
    o.g[2] = g2 - p * k;
    o.H[0][0] = h00 - 2 * p * pp * k / (t * t);
    o.H[0][1] = h01 + pp * k / t;
    o.H[0][2] = h02 + p * k / t;
    o.H[1][1] = h11;
    o.H[2][2] = h22;
    o.H[1][2] = h12 - k;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < i; ++j) o.H[i][j] = o.H[j][i];
    return o;
}

double mean_of(const std::vector<double>& v, const std::vector<double>& w) {
    double a = 0;
    for (std::size_t k = 0; k < w.size(); ++k) a += w[k] * v[k];
    return a;
}

// f'' from the same pass: the envelope's derivative, Phi_tt - H_tx H_xx^{-1} H_xt (x = (p, p')).
double second_derivative(const Pass& P) {
    const double a = P.H[1][1], b = P.H[1][2], d = P.H[2][2];
    const double det = a * d - b * b;
    const double u = P.H[0][1], v = P.H[0][2];
    return P.H[0][0] - (d * u * u - 2 * b * u * v + a * v * v) / det;
}

KLogDet solve_pq(const GateSiteLaw& L, double g_r, double t, double p, double pp, double* f2 = nullptr) {
    KLogDet r;
    const double gr2 = g_r * g_r;
    if (t <= 0) {
        r.slope = L.mean_s2(g_r);
        r.converged = true;
        return r;
    }
    if (!(p >= 0) || !(pp >= 0)) {
        p = t * gr2 * mean_of(L.c2, L.w);
        pp = t * gr2 * mean_of(L.b2, L.w);
    }
    // Newton on the scaled stationarity E = (p - t g_r^2 <c^2 (1 + b^2 p)/W>, p' - t g_r^2 <b^2 (1 + c^2 p')/W>),
    // E = -t g_r^2 (dPhi/dp', dPhi/dp), with backtracking on |E| and p, p' >= 0.
    const double s = t * gr2;
    auto resid = [&](const Pass& P, double& e1, double& e2) {
        e1 = -s * P.g[2];
        e2 = -s * P.g[1];
        return std::hypot(e1, e2);
    };
    Pass P = pass(L, gr2, t, p, pp);
    double e1, e2, norm = resid(P, e1, e2);
    for (int it = 0; it < 60; ++it) {
        if (norm <= 1e-15 * (1 + p + pp)) {
            r.converged = true;
            break;
        }
        // dE1/d(p, p') = -s (H21, H22), dE2/d(p, p') = -s (H11, H12).
        const double j11 = -s * P.H[2][1], j12 = -s * P.H[2][2], j21 = -s * P.H[1][1], j22 = -s * P.H[1][2];
        const double det = j11 * j22 - j12 * j21;
        double dp = (-e1 * j22 + e2 * j12) / det, dq = (-e2 * j11 + e1 * j21) / det;
        if (!std::isfinite(dp) || !std::isfinite(dq)) {
            dp = -e1;  // the resolvent fixed-point map as a fallback direction
            dq = -e2;
        }
        double a = 1;
        bool moved = false;
        for (int ls = 0; ls < 40; ++ls, a *= 0.5) {
            const double np = p + a * dp, nq = pp + a * dq;
            if (np < 0 || nq < 0) continue;
            Pass Q = pass(L, gr2, t, np, nq);
            double f1, f2_, nn = resid(Q, f1, f2_);
            if (std::isfinite(nn) && nn < (1 - 1e-4 * a) * norm) {
                p = np, pp = nq, P = Q, e1 = f1, e2 = f2_, norm = nn;
                moved = true;
                break;
            }
        }
        if (!moved) {
            r.converged = norm <= 1e-10 * (1 + p + pp);
            break;
        }
    }
    r.f = P.Phi;
    r.slope = P.g[0];
    r.p = p;
    r.pp = pp;
    if (f2) *f2 = second_derivative(P);
    return r;
}

}  // namespace

double GateSiteLaw::mean_s2(double g_r) const {
    double a = 0, b = 0, c = 0;
    for (std::size_t k = 0; k < w.size(); ++k) a += w[k] * a2[k], b += w[k] * b2[k], c += w[k] * c2[k];
    return a + g_r * g_r * b * c;
}

KLogDet k_log_det(const GateSiteLaw& law, double g_r, double t, double p_hint, double pp_hint) {
    return solve_pq(law, g_r, t, p_hint, pp_hint);
}

double jk_log_det_rate(const GateSiteLaw& law, double g_r, double g_h, double* t_out) {
    const double ig2 = 1 / (g_h * g_h);
    if (t_out) *t_out = 0;
    if (law.mean_s2(g_r) <= ig2) return 0.0;
    double p = -1, pp = -1;
    auto slope = [&](double t) {
        const KLogDet k = solve_pq(law, g_r, t, p, pp);
        p = k.p, pp = k.pp;
        return k.slope - ig2;
    };
    double lo = 0, hi = 1;
    while (slope(hi) > 0 && hi < 1e12) lo = hi, hi *= 4;
    p = pp = -1;
    const auto root = brent_root(slope, lo, hi, 1e-14, 1e-300);
    const double t = root.ok ? root.x : hi;
    const KLogDet k = solve_pq(law, g_r, t, -1, -1);
    if (t_out) *t_out = t;
    return 0.5 * (k.f - t * ig2);
}

double jk_unstable_fraction(const GateSiteLaw& law, double g_r, double g_h, int theta_points, double t_hint) {
    const double g2 = g_h * g_h;
    const double R = std::sqrt(g2 * law.mean_s2(g_r));
    if (R <= 1) return 0.0;
    const double theta_max = std::acos(1.0 / R);
    const int n = 2 * ((theta_points + 1) / 2);
    const double h = theta_max / n;
    double t_prev = t_hint;
    if (!(t_hint > 0)) jk_log_det_rate(law, g_r, g_h, &t_prev);  // theta = 0 (r = 1): tau = the maximiser t
    // At each theta, (tau, p, p') is the stationary point of Phi(tau, p, p') - tau r^2/g_h^2: Newton with Phi's
    // Hessian from one pass, warm-started from the previous theta (tau decreases from the lemma's t to 0).
    const KLogDet k0 = solve_pq(law, g_r, t_prev, -1, -1);
    double p = k0.p, pp = k0.pp, acc = 0;
    const double gr2 = g_r * g_r;
    for (int i = 0; i <= n; ++i) {
        const double th = i * h, r2 = 1 / (std::cos(th) * std::cos(th));
        double tau = 0;
        if (i < n) {
            const double target = r2 / g2;
            tau = t_prev;
            bool ok = false;
            for (int it = 0; it < 30 && !ok; ++it) {
                const Pass P = pass(law, gr2, tau, p, pp);
                const double e[3] = {P.g[0] - target, P.g[1], P.g[2]};
                const double scale = std::abs(target) + std::abs(P.g[1]) + std::abs(P.g[2]);
                if (std::abs(e[0]) + std::abs(e[1]) + std::abs(e[2]) <= 1e-13 * scale) {
                    ok = true;
                    break;
                }
                // Solve H d = -e (3 x 3, Cramer).
                const auto& H = P.H;
                const double det = H[0][0] * (H[1][1] * H[2][2] - H[1][2] * H[2][1]) -
                                   H[0][1] * (H[1][0] * H[2][2] - H[1][2] * H[2][0]) +
                                   H[0][2] * (H[1][0] * H[2][1] - H[1][1] * H[2][0]);
                double d[3];
                for (int c = 0; c < 3; ++c) {
                    double M[3][3];
                    for (int a = 0; a < 3; ++a)
                        for (int b = 0; b < 3; ++b) M[a][b] = b == c ? -e[a] : H[a][b];
                    d[c] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
                            M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) / det;
                }
                double a = 1;
                while (a > 1e-3 && (tau + a * d[0] <= 0 || p + a * d[1] < 0 || pp + a * d[2] < 0)) a *= 0.5;
                if (!(std::isfinite(d[0]) && std::isfinite(d[1]) && std::isfinite(d[2])) || a <= 1e-3) break;
                tau += a * d[0], p += a * d[1], pp += a * d[2];
            }
            if (!ok) {
                // Fallback: bisection in tau with the two-dimensional solve (f' decreases in tau).
                double lo = 0, hi = t_prev;
                while (solve_pq(law, g_r, hi, -1, -1).slope > target && hi < 1e12) lo = hi, hi *= 4;
                for (int it = 0; it < 200 && hi - lo > 1e-14 * hi; ++it) {
                    tau = 0.5 * (lo + hi);
                    const KLogDet k = solve_pq(law, g_r, tau, -1, -1);
                    (k.slope > target ? lo : hi) = tau;
                }
                const KLogDet k = solve_pq(law, g_r, tau, -1, -1);
                p = k.p, pp = k.pp;
            }
            t_prev = tau;
        }
        const double s = tau * r2 / g2;
        const double c = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        acc += c * s;
    }
    return acc * h / 3.0 / std::numbers::pi;
}

}  // namespace gdmft
