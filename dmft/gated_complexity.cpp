// Annealed Kac-Rice complexity of the gated network (see the header and docs/complexity.md section 8).
#include "dmft/gated_complexity.hpp"

#include "dmft/parameter_axis.hpp"
#include "numerics/errors.hpp"
#include "numerics/gaussian_average.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace gdmft {

namespace {

constexpr int kDim = 7;

// Nodes of one axis: u on [-8.5, 8.5] with step h (the trapezoid rule of numerics/gaussian_average), values v = sd u.
struct Axis {
    std::vector<double> v, lw;  // node values and log Gaussian weights (unnormalised)
    double log_norm = 0;        // ln sum exp(lw)
};

Axis make_axis(double sd, double h) {
    constexpr double half_width = 8.5;
    const int K = static_cast<int>(std::ceil(half_width / h));
    const double step = half_width / K;
    Axis a;
    double total = 0;
    for (int k = -K; k <= K; ++k) {
        const double u = k * step;
        a.v.push_back(sd * u);
        a.lw.push_back(-0.5 * u * u);
        total += std::exp(-0.5 * u * u);
    }
    a.log_norm = std::log(total);
    return a;
}

std::array<double, kDim> as_array(const GatedSaddle& s) { return {s.q, s.q_v, s.t, s.p, s.pp, s.m1, s.m2}; }
GatedSaddle from_array(const std::array<double, kDim>& a) { return {a[0], a[1], a[2], a[3], a[4], a[5], a[6]}; }

bool feasible(const GatedSaddle& s) {
    return s.q > 0 && s.q < 1 && s.q_v > 0 && s.q_v < 1 && s.t > 0 && s.p >= 0 && s.pp >= 0 && std::isfinite(s.m1) &&
           std::isfinite(s.m2);
}

double grad_norm(const GatedEvaluation& e) {
    double a = 0;
    for (double g : e.grad) a = std::max(a, std::abs(g));
    return a;
}

}  // namespace

GatedEvaluation gated_objective(const ModelParams& model, const GatedSaddle& s, const ComplexityOptions& opts,
                                bool hessian, GateSiteLaw* law) {
    GatedEvaluation e;
    if (!feasible(s)) return e;
    const Phi phi = model.phi_fn();
    const Gate gate = model.gate_r();
    const double gh2 = model.g_h * model.g_h, gr2 = model.g_r * model.g_r;
    const double sx = model.g_h * std::sqrt(s.q_v), sr = model.g_r * std::sqrt(s.q);
    // Steps: strip pi/4 for sqrt(W) exp(m phi^2) in x (as in the SCS case) and pi/(2 alpha_r) in r (the gate's
    // poles are at distance pi/alpha_r); capped at 0.3 and, in x, resolving the narrowing by exp(m phi^2) with
    // m as low as m1 + min(0, m2) (precision 1/sx^2 - 2 m near x = 0).
    const double mlow = s.m1 + std::min(0.0, s.m2);
    const double narrow = std::sqrt(std::max(1.0, 1 - 2 * mlow * sx * sx));
    const double hx = std::min(gauss::trapezoid_step((std::numbers::pi / 4) / sx, opts.gated_quadrature_tol), 0.3 / narrow);
    const double strip_r = std::min(std::numbers::pi / 4, std::numbers::pi / (2 * std::abs(model.alpha_r)));
    const double hr = std::min(gauss::trapezoid_step(strip_r / sr, opts.gated_quadrature_tol), 0.3);
    const Axis X = make_axis(sx, hx), R = make_axis(sr, hr);
    const std::size_t nx = X.v.size(), nr = R.v.size();
    std::vector<double> ph(nx), dph2(nx), sg(nr), dsg2(nr);
    for (std::size_t i = 0; i < nx; ++i) {
        ph[i] = phi(X.v[i]);
        const double d = phi.deriv(X.v[i]);
        dph2[i] = d * d;
    }
    for (std::size_t j = 0; j < nr; ++j) {
        sg[j] = gate(R.v[j]);
        const double d = gate.deriv(R.v[j]);
        dsg2[j] = d * d;
    }
    // Pass 1: the log-weights.
    std::vector<double> ell(nx * nr), Wv(nx * nr);
    double emax = -INFINITY;
    for (std::size_t i = 0; i < nx; ++i) {
        const double p2 = ph[i] * ph[i], c2 = dph2[i];
        for (std::size_t j = 0; j < nr; ++j) {
            const double a2 = sg[j] * sg[j] * c2, b2 = dsg2[j] * p2;
            const double W = (1 + b2 * s.p) * (1 + c2 * s.pp) + s.t * a2;
            if (!(W > 0)) return e;
            const std::size_t k = i * nr + j;
            Wv[k] = W;
            ell[k] = X.lw[i] + R.lw[j] + 0.5 * std::log(W) + s.m1 * p2 + s.m2 * sg[j] * sg[j] * p2;
            emax = std::max(emax, ell[k]);
        }
    }
    // Pass 2: moments. Per node, G = d ell / d theta; the Hessian of ln Z is Cov(G) + <d^2 ell>.
    double Z = 0, M1[kDim] = {}, M2[kDim][kDim] = {}, d00 = 0, d11 = 0, d34 = 0, x2 = 0, r2 = 0;
    const double iq = 1 / s.q, iqv = 1 / s.q_v;
    std::vector<double> wv(law ? nx * nr : 0);
    for (std::size_t i = 0; i < nx; ++i) {
        const double p2 = ph[i] * ph[i], c2 = dph2[i], xx = X.v[i] * X.v[i];
        const double G1 = 0.5 * iqv * (xx / (gh2 * s.q_v) - 1);
        for (std::size_t j = 0; j < nr; ++j) {
            const std::size_t k = i * nr + j;
            const double w = std::exp(ell[k] - emax);
            if (law) wv[k] = w;
            Z += w;
            const double rr = R.v[j] * R.v[j];
            const double a2 = sg[j] * sg[j] * c2, b2 = dsg2[j] * p2, W = Wv[k], iW = 1 / W;
            const double G[kDim] = {0.5 * iq * (rr / (gr2 * s.q) - 1), G1, 0.5 * a2 * iW,
                                    0.5 * b2 * (1 + c2 * s.pp) * iW, 0.5 * c2 * (1 + b2 * s.p) * iW, p2, sg[j] * sg[j] * p2};
            for (int a = 0; a < kDim; ++a) M1[a] += w * G[a];
            x2 += w * xx;
            r2 += w * rr;
            if (!hessian) continue;
            for (int a = 0; a < kDim; ++a)
                for (int b = a; b < kDim; ++b) M2[a][b] += w * G[a] * G[b];
            d00 += w * (0.5 * iq * iq - rr / gr2 * iq * iq * iq);
            d11 += w * (0.5 * iqv * iqv - xx / gh2 * iqv * iqv * iqv);
            d34 += w * 0.5 * b2 * c2 * iW;
        }
    }
    const double lnZ = emax + std::log(Z) - X.log_norm - R.log_norm;
    for (auto& m : M1) m /= Z;
    const double k = 1 / (s.t * gr2);
    e.S = lnZ - s.m1 * s.q - s.m2 * s.q_v - 0.5 * s.p * s.pp * k - 0.5 * s.t / gh2;
    const double extra[kDim] = {-s.m1, -s.m2, 0.5 * s.p * s.pp * k / s.t - 0.5 / gh2, -0.5 * s.pp * k, -0.5 * s.p * k,
                                -s.q, -s.q_v};
    for (int a = 0; a < kDim; ++a) e.grad[a] = M1[a] + extra[a];
    e.x2 = x2 / Z;
    e.r2 = r2 / Z;
    e.phi2 = M1[5];
    e.srphi2 = M1[6];
    e.nodes = static_cast<int>(nx * nr);
    if (hessian) {
        for (int a = 0; a < kDim; ++a)
            for (int b = a; b < kDim; ++b) e.H[a][b] = M2[a][b] / Z - M1[a] * M1[b];
        // <d^2 ell>: the q, q_v diagonals; in the (t, p, p') block d^2 (ln W / 2) = W_ab / (2W) - 2 G_a G_b, and
        // the only nonzero W_ab is W_pp' = b^2 c^2.
        e.H[0][0] += d00 / Z;
        e.H[1][1] += d11 / Z;
        for (int a = 2; a < 5; ++a)
            for (int b = a; b < 5; ++b) e.H[a][b] -= 2 * (M2[a][b] / Z);
        e.H[3][4] += d34 / Z;
        // The explicit terms.
        e.H[0][5] -= 1;
        e.H[1][6] -= 1;
        e.H[2][2] -= s.p * s.pp * k / (s.t * s.t);
        e.H[2][3] += 0.5 * s.pp * k / s.t;
        e.H[2][4] += 0.5 * s.p * k / s.t;
        e.H[3][4] -= 0.5 * k;
        for (int a = 0; a < kDim; ++a)
            for (int b = 0; b < a; ++b) e.H[a][b] = e.H[b][a];
    }
    if (law) {
        *law = GateSiteLaw{};
        for (std::size_t i = 0; i < nx; ++i)
            for (std::size_t j = 0; j < nr; ++j) {
                const double w = wv[i * nr + j];
                if (w < 1e-14) continue;  // relative to the largest weight (1)
                law->a2.push_back(sg[j] * sg[j] * dph2[i]);
                law->b2.push_back(dsg2[j] * ph[i] * ph[i]);
                law->c2.push_back(dph2[i]);
                law->w.push_back(w / Z);
            }
    }
    e.ok = std::isfinite(e.S) && std::isfinite(grad_norm(e));
    return e;
}

GatedSolve gated_newton(const ModelParams& model, const GatedSaddle& start, const ComplexityOptions& opts) {
    GatedSolve out;
    out.saddle = start;
    out.eval = gated_objective(model, start, opts);
    if (!out.eval.ok) {
        out.why = "infeasible start";
        return out;
    }
    double norm = grad_norm(out.eval);
    for (int it = 0; it < opts.gated_iterations; ++it) {
        out.iterations = it;
        if (norm <= opts.gated_grad_tol) {
            out.converged = true;
            break;
        }
        Eigen::Matrix<double, kDim, kDim> H;
        Eigen::Matrix<double, kDim, 1> g;
        for (int a = 0; a < kDim; ++a) {
            g(a) = out.eval.grad[a];
            for (int b = 0; b < kDim; ++b) H(a, b) = out.eval.H[a][b];
        }
        const Eigen::Matrix<double, kDim, 1> d = H.fullPivLu().solve(-g);
        if (!d.allFinite()) break;
        const auto x0 = as_array(out.saddle);
        bool moved = false;
        double a = 1;
        for (int ls = 0; ls < 40 && !moved; ++ls, a *= 0.5) {
            std::array<double, kDim> x = x0;
            for (int i = 0; i < kDim; ++i) x[i] += a * d(i);
            const GatedSaddle s = from_array(x);
            if (!feasible(s)) continue;
            const GatedEvaluation e = gated_objective(model, s, opts);
            if (!e.ok) continue;
            const double n = grad_norm(e);
            // Newton's full step near the solution; otherwise ask for a decrease of |grad|.
            if (n < (1 - 1e-4 * a) * norm || (a == 1 && n < 10 * norm && norm < 1e-6)) {
                out.saddle = s, out.eval = e, norm = n, moved = true;
            }
        }
        if (!moved) break;
    }
    if (!out.converged) out.converged = norm <= opts.gated_grad_tol;
    if (!out.converged)
        out.why = out.saddle.t < 1e-4 ? "t -> 0" : out.saddle.q < 1e-4 ? "q -> 0" : "no convergence";
    return out;
}

GatedSolve gated_track(const ModelParams& model, const std::string& name, double from, const GatedSaddle& saddle,
                       double to, double max_step, const ComplexityOptions& opts) {
    GatedSolve cur;
    cur.saddle = saddle;
    cur.converged = true;
    cur.reached = from;
    cur.eval = gated_objective(with_parameter(model, name, from), saddle, opts);
    const double span = to - from, min_step = 1e-7 * std::max(std::abs(span), 1e-3);
    const double dir = span >= 0 ? 1.0 : -1.0;
    double v = from, step = std::min(std::abs(span), max_step);
    std::array<double, kDim> prev = as_array(saddle);
    double v_prev = from;
    bool have_prev = false;
    std::string why;
    while (dir * (to - v) > 0) {
        const double next = (std::abs(to - v) <= step * (1 + 1e-12)) ? to : v + dir * step;
        // Secant predictor from the last two converged points.
        std::array<double, kDim> guess = as_array(cur.saddle);
        if (have_prev) {
            const double f = (next - v) / (v - v_prev);
            for (int i = 0; i < kDim; ++i) guess[i] += f * (guess[i] - prev[i]);
            if (!feasible(from_array(guess))) guess = as_array(cur.saddle);
        }
        GatedSolve s = gated_newton(with_parameter(model, name, next), from_array(guess), opts);
        if (!s.converged && have_prev) s = gated_newton(with_parameter(model, name, next), cur.saddle, opts);
        // A jump to another branch (q or t changing by a factor) is treated as a failure of the step.
        const bool jump = s.converged && (std::abs(std::log(s.saddle.q / cur.saddle.q)) > 0.7 ||
                                          std::abs(std::log(s.saddle.t / cur.saddle.t)) > 1.5);
        if (s.converged && !jump) {
            prev = as_array(cur.saddle);
            v_prev = v;
            have_prev = true;
            v = next;
            cur.saddle = s.saddle;
            cur.eval = s.eval;
            cur.iterations += s.iterations;
            cur.reached = v;
            step = std::min(max_step, step * 1.5);
        } else {
            why = jump ? "jump to another branch" : s.why;
            if (!jump && (s.saddle.t < 1e-4 || cur.saddle.t < 1e-3)) why = "t -> 0";
            if (!jump && (s.saddle.q < 1e-4 || cur.saddle.q < 1e-3)) why = "q -> 0";
            step *= 0.5;
            if (step < min_step) {
                cur.converged = false;
                cur.why = why;
                return cur;
            }
        }
    }
    return cur;
}

GatedSolve gated_branch(const ModelParams& model, const ComplexityOptions& opts) {
    const double s0 = model.gate_r().at_zero();
    const double g_start = std::max(model.g_h, 2.0 / s0);  // g_eff >= 2 at the start
    ModelParams m = model;
    m.g_h = g_start;
    const ComplexityResult scs = scs_complexity(g_start * s0, model.phi_fn(), ComplexityOptions{.unstable_fraction = false});
    // alpha_r -> 0: b = 0, p' = 0, W = 1 + t a^2 with a = s0 phi', so t = t_SCS / s0^2, q_v = s0^2 q, m1 = 0,
    // m2 = m_SCS / s0^2, and p = t g_r^2 <c^2 / W> (estimated with <c^2> ~ 1/2).
    GatedSaddle s;
    s.q = scs.q;
    s.q_v = s0 * s0 * scs.q;
    s.t = scs.t / (s0 * s0);
    s.pp = 0;
    s.p = s.t * model.g_r * model.g_r * 0.5 / (1 + 0.5 * scs.t);
    s.m1 = 0;
    s.m2 = scs.m / (s0 * s0);
    const double a_start = 1e-3 * model.alpha_r;
    m.alpha_r = a_start;
    GatedSolve r = gated_newton(m, s, opts);
    if (!r.converged) {
        r.why = "no convergence at the SCS start (alpha_r = " + std::to_string(a_start) + ")";
        return r;
    }
    r = gated_track(m, "alpha_r", a_start, r.saddle, model.alpha_r, 1.0, opts);
    if (!r.converged) {
        r.why = "the branch from the SCS solution ends at alpha_r = " + std::to_string(r.reached) + " (" + r.why + ")";
        return r;
    }
    m.alpha_r = model.alpha_r;
    if (g_start != model.g_h) {
        r = gated_track(m, "g_h", g_start, r.saddle, model.g_h, 0.25, opts);
        if (!r.converged) {
            r.why = "the nontrivial branch ends at g_h = " + std::to_string(r.reached) + " (" + r.why + ")";
            return r;
        }
    }
    return r;
}

ComplexityResult gated_result(const ModelParams& model, const GatedSolve& solve, const ComplexityOptions& opts) {
    ComplexityResult r;
    r.g_eff = model.g_eff();
    if (!solve.converged) {
        r.converged = true;
        r.trivial = true;
        r.message = "only the trivial fixed point (Sigma = 0): " + solve.why;
        r.unstable_fraction = 0.0;
        return r;
    }
    const GatedEvaluation e = gated_objective(model, solve.saddle, opts, false);
    const GatedSaddle& s = solve.saddle;
    r.gated = s;
    r.branch_value = e.S;
    r.converged = true;
    if (!(e.S > opts.Sigma_floor)) {
        r.trivial = true;
        r.message = "only the trivial fixed point (Sigma = 0): the nontrivial saddle has S = " + std::to_string(e.S) + " <= 0";
        r.unstable_fraction = 0.0;
        return r;
    }
    r.trivial = false;
    r.Sigma = e.S;
    r.q = s.q;
    r.t = s.t;
    r.m = s.m1;
    r.second_moment = e.x2;
    r.mean_phi2 = e.phi2;
    r.mean_r2 = e.r2;
    r.objective_evaluations = solve.iterations;
    r.message = "interior saddle of the gated problem (nontrivial branch)";
    if (opts.unstable_fraction) {
        // rho's law of (a^2, b^2, c^2) on a coarser rule (tolerance 1e-9: the fraction to ~1e-8, checked against
        // the fine rule in the tests), which makes the 33 spectral solves cheap.
        ComplexityOptions coarse = opts;
        coarse.gated_quadrature_tol = opts.gated_law_tol;
        GateSiteLaw law;
        gated_objective(model, s, coarse, false, &law);
        r.unstable_fraction = jk_unstable_fraction(law, model.g_r, model.g_h, 32, s.t);
    }
    return r;
}

ComplexityResult gated_complexity(const ModelParams& model, const ComplexityOptions& opts, const GatedSaddle* hint) {
    if (hint) {
        const GatedSolve s = gated_newton(model, *hint, opts);
        if (s.converged) return gated_result(model, s, opts);
    }
    return gated_result(model, gated_branch(model, opts), opts);
}

}  // namespace gdmft
