// The deterministic (closure) route of the adjoint DMFT: alpha_z = 0 (docs/gradient.md, section 2).
//
// With a constant clock s0 = sigma_z(0), kappa = s0/tau_h, and a Gaussian forward state, the adjoint of
// one site is a linear functional of Gaussian fields independent of the forward process, so its two-time
// covariances close:
//   A(s,s')  = <a_h(s) a_h(s')> = e^{-kappa (s+s')} + F_kappa[ Y_A ](s,s'),
//   Ar(s,s') = <a_r(s) a_r(s')> = F_{1/tau_r}[ Y_Ar ](s,s')                     (dynamic r gate),
//   F_k[Y](s,s') = int_0^s du int_0^s' du' e^{-k (s-u)} e^{-k (s'-u')} Y(u,u'),
//   Y_A  = <phi'phi'> ( <s_r s_r> K_h + K_r ),   Y_Ar = <s_r's_r'> <phi phi> K_h,
//   K_h = (g_h s0 / tau_h)^2 A,   K_r = (g_r/tau_r)^2 Ar  (dynamic)  or  g_r^2 <s_r's_r'><phi phi> K_h  (tau_r = 0),
// the pair averages taken at the forward lag covariances at lag |s - s'| (gaussian_closure.hpp).
//
// Discretisation: F_k is the tensor product L Y L^T of the one-dimensional exponential filter with the
// source linear over each step (x_{k+1} = e x_k + w0 y_k + w1 y_{k+1}), applied along each time. Row k of
// the triangle is built from rows < k: Z = L Y (first time filtered) and V = Z L^T (second), with the
// implicit w1^2 Y(k,j) term solved per entry (a 2 x 2 linear system with a dynamic r gate). Linear and
// homogeneous after s = 0, so the stored rows are rescaled by a common factor whenever the newest
// diagonal leaves [1e-150, 1e150]; the log of the scale is kept.
#include "dmft/adjoint.hpp"

#include "dmft/fixed_points.hpp"
#include "dmft/gaussian_closure.hpp"
#include "dmft/support_boundary.hpp"
#include "numerics/gaussian_average.hpp"
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/transient_dmft.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/interpolate.hpp"

#include <Eigen/Dense>

#include <chrono>
#include <memory>
#include <cmath>

namespace gdmft {

namespace {

using Mat = Eigen::MatrixXd;

// Lag functions on the march grid (index = lag in steps): the closure's pair averages.
using LagInputs = closure::LagPairAverages;

struct Filter1D {
    double e = 1, w0 = 0, w1 = 0;  // int over one step of e^{-k (s_{n+1} - u)} y(u), y linear
    static Filter1D make(double dt, double k) {
        const detail::FilterStep f = detail::FilterStep::make(dt, 1.0 / k);  // tau x' = -x + u form
        return {f.a, f.c0 / k, f.c1 / k};
    }
};

// A clock value of the site: a_h decays at kappa = sigma_z / tau_h. One node for a constant clock; at a
// fixed point with alpha_z != 0 the nodes of a quadrature over z ~ N(0, Delta_z).
struct ClockNode {
    double prob = 1;   // quadrature weight
    double kappa = 1;  // sigma_z(z) / tau_h
    double c = 1;      // prob (g_h sigma_z / tau_h)^2: its share of K_h = <zeta_h zeta_h>
};

// One filtered field with a decay rate: only its current and previous rows of Z = L Y and its current
// row of V = Z L^T are kept (O(M) memory); the two-time quantities are the shared sources.
struct FilteredRow {
    Filter1D f;
    std::vector<double> zprev, zcur, vcur;
    explicit FilteredRow(Filter1D f_, std::size_t n) : f(f_), zprev(n, 0.0), zcur(n, 0.0), vcur(n, 0.0) {}
    // Z(k-1, k) from column k of the source (= row k, already built for u < k).
    void fill_corner(const Eigen::MatrixXd& Y, Eigen::Index k) {
        double z = 0;
        for (Eigen::Index u = 1; u < k; ++u) z = f.e * z + f.w0 * Y(u - 1, k) + f.w1 * Y(u, k);
        zprev[static_cast<std::size_t>(k)] = k >= 1 ? z : 0.0;
    }
    // The entry (k, j) before the implicit term: X = hom + v + coef * Y(k, j); zk is Z(k, j) without its
    // w1 Y(k, j) part.
    void predict(const Eigen::MatrixXd& Y, Eigen::Index k, Eigen::Index j, double& zk, double& v, double& coef) const {
        const std::size_t jj = static_cast<std::size_t>(j);
        zk = k > 0 ? f.e * zprev[jj] + f.w0 * Y(k - 1, j) : 0.0;
        if (j == 0) {  // V(k, 0) = 0
            v = 0, coef = 0;
        } else {       // j >= 1 implies k >= 1
            v = f.e * vcur[jj - 1] + f.w0 * zcur[jj - 1] + f.w1 * zk;
            coef = f.w1 * f.w1;
        }
    }
    void store(Eigen::Index k, Eigen::Index j, double zk, double v, double coef, double y) {
        const std::size_t jj = static_cast<std::size_t>(j);
        zcur[jj] = zk + (k > 0 ? f.w1 : 0.0) * y;
        vcur[jj] = v + coef * y;
    }
    void next_row() { std::swap(zprev, zcur); }
    void scale(double s) {
        for (double& x : zprev) x *= s;
        for (double& x : zcur) x *= s;
        for (double& x : vcur) x *= s;
    }
};

class ClosureMarch {
public:
    ClosureMarch(const ModelParams& p, const LagInputs& lag, const std::vector<ClockNode>& nodes, const AdjointOptions& o)
        : p_(p), lag_(lag), nodes_(nodes), M_(static_cast<Eigen::Index>(std::llround(o.horizon / o.dt))), dt_(o.dt) {
        r_var_ = !p.gate_r().constant();
        r_dyn_ = r_var_ && p.tau_r > 0;
        const Eigen::Index n = M_ + 1;
        for (const ClockNode& c : nodes_) rows_.emplace_back(Filter1D::make(dt_, c.kappa), static_cast<std::size_t>(n));
        Y_.setZero(n, n);
        if (r_dyn_) {
            YR_.setZero(n, n);
            rrow_ = std::make_unique<FilteredRow>(Filter1D::make(dt_, 1.0 / p.tau_r), static_cast<std::size_t>(n));
        }
    }

    static std::size_t bytes(Eigen::Index M, bool r_dyn) {
        const double n = static_cast<double>(M + 1);
        return static_cast<std::size_t>(n * n * 8.0 * (r_dyn ? 2 : 1));
    }

    // Runs the march; returns false (with the time) when a value became non-finite.
    bool run(double* nonfinite_at) {
        for (Eigen::Index k = 0; k <= M_; ++k) {
            const double d = row(k);
            if (!std::isfinite(d) || !(d > 0) || (r_dyn_ && !std::isfinite(r_diag_))) {
                *nonfinite_at = static_cast<double>(k) * dt_;
                return false;
            }
            log_diag_.push_back(std::log(d) + log_scale_);
            ar_diag_.push_back(r_dyn_ ? r_diag_ * std::exp(log_scale_) : 0.0);
            accumulate_norms(k);
            for (FilteredRow& r : rows_) r.next_row();
            if (rrow_) rrow_->next_row();
            last_ = k;
            if (d > 1e150 || d < 1e-150) rescale(1.0 / d);
        }
        return true;
    }

    const std::vector<double>& log_a_h2() const { return log_diag_; }
    const std::vector<double>& a_r2() const { return ar_diag_; }
    Eigen::Index last() const { return last_; }
    double log_scale() const { return log_scale_; }

    // (1/N^2) sum (dL/dJ)^2 over [0, s_K]^2 for every K (true units; index K): Jh from
    // K_h = <zeta_h zeta_h> = (g_h/tau_h)^2 <sigma_z a_h sigma_z a_h> against the forward C_srphi, Jr from
    // <e_r e_r> against C_phi (THEORY.md 7, docs/gradient.md 1).
    const std::vector<double>& norm_Jh() const { return norm_Jh_; }
    const std::vector<double>& norm_Jr() const { return norm_Jr_; }

private:
    ModelParams p_;
    const LagInputs& lag_;
    std::vector<ClockNode> nodes_;
    std::vector<FilteredRow> rows_;
    std::unique_ptr<FilteredRow> rrow_;
    Eigen::Index M_;
    double dt_;
    bool r_var_ = false, r_dyn_ = false;
    Mat Y_, YR_;            // sources of a_h and a_r (symmetric, two-time)
    // The current row: the integrands of the gradient sizes at (k, j), j <= k (stored units).
    std::vector<double> fJh_, fJr_;
    double r_diag_ = 0;     // <a_r(s_k)^2> (stored units)
    // Running trapezoid sums over [0, s_K]^2 with the left-end weights b (dt/2 at 0, dt inside).
    double QJh_ = 0, QJr_ = 0;
    std::vector<double> norm_Jh_, norm_Jr_;
    double log_scale_ = 0;  // stored values are the true ones times exp(-log_scale_)
    std::vector<double> log_diag_, ar_diag_;
    Eigen::Index last_ = -1;

    // Row k of the triangle; returns <a_h(s_k)^2> in stored units.
    double row(Eigen::Index k) {
        const double gr2 = p_.g_r * p_.g_r;
        const std::size_t nn = nodes_.size();
        std::vector<double> zk(nn), v(nn), coef(nn), hom(nn);
        double diag = 0;
        fJh_.assign(static_cast<std::size_t>(k + 1), 0.0);
        fJr_.assign(static_cast<std::size_t>(k + 1), 0.0);
        const double gh2 = p_.g_h * p_.g_h;
        for (Eigen::Index j = 0; j <= k; ++j) {
            if (j == k && k > 0) {
                for (FilteredRow& r : rows_) r.fill_corner(Y_, k);
                if (rrow_) rrow_->fill_corner(YR_, k);
            }
            const std::size_t d = static_cast<std::size_t>(k - j);
            // K_h = K0 + K1 Y(k, j) over the clock nodes.
            double K0 = 0, K1 = 0;
            for (std::size_t n = 0; n < nn; ++n) {
                rows_[n].predict(Y_, k, j, zk[n], v[n], coef[n]);
                hom[n] = std::exp(-nodes_[n].kappa * dt_ * static_cast<double>(k + j) - log_scale_);
                K0 += nodes_[n].c * (hom[n] + v[n]);
                K1 += nodes_[n].c * coef[n];
            }
            // Y = al K_h + be R,  R = vR + cR YR,  YR = ga K_h.
            const double al = lag_.dphi[d] * (lag_.sr[d] + (r_var_ && !r_dyn_ ? gr2 * lag_.dsr[d] * lag_.phi[d] : 0.0));
            const double be = r_dyn_ ? lag_.dphi[d] * gr2 / (p_.tau_r * p_.tau_r) : 0.0;
            const double ga = lag_.dsr[d] * lag_.phi[d];
            double zR = 0, vR = 0, cR = 0;
            if (rrow_) rrow_->predict(YR_, k, j, zR, vR, cR);
            const double y = (al * K0 + be * vR + be * cR * ga * K0) / (1 - al * K1 - be * cR * ga * K1);
            const double Kh = K0 + K1 * y;
            Y_(k, j) = Y_(j, k) = y;
            fJh_[static_cast<std::size_t>(j)] = Kh / gh2 * lag_.sr[d] * lag_.phi[d];
            if (r_var_ && !r_dyn_) fJr_[static_cast<std::size_t>(j)] = lag_.dsr[d] * lag_.phi[d] * Kh * lag_.phi[d];
            for (std::size_t n = 0; n < nn; ++n) {
                rows_[n].store(k, j, zk[n], v[n], coef[n], y);
                if (j == k) diag += nodes_[n].prob * (hom[n] + v[n] + coef[n] * y);
            }
            if (rrow_) {
                const double yr = ga * Kh;
                YR_(k, j) = YR_(j, k) = yr;
                rrow_->store(k, j, zR, vR, cR, yr);
                const double Rkj = vR + cR * yr;
                fJr_[static_cast<std::size_t>(j)] = Rkj / (p_.tau_r * p_.tau_r) * lag_.phi[d];
                if (j == k) r_diag_ = Rkj;
            }
        }
        return diag;
    }

    // Adds row k to the running sums; the norm over [0, s_k]^2 swaps the weight of the last point for dt/2:
    // S(k) = Q(k) - dt sum_{j<=k} b_j f(k,j) + (dt^2/4) f(k,k), with Q(k) = sum_{i,j<=k} b_i b_j f(i,j).
    void accumulate_norms(Eigen::Index k) {
        const double sc = std::exp(log_scale_);
        auto step = [&](const std::vector<double>& f, double& Q, std::vector<double>& out) {
            double row = 0;
            for (Eigen::Index j = 0; j < k; ++j) row += (j == 0 ? 0.5 * dt_ : dt_) * f[static_cast<std::size_t>(j)];
            const double bk = k == 0 ? 0.5 * dt_ : dt_, fkk = f[static_cast<std::size_t>(k)];
            Q += sc * (2 * bk * row + bk * bk * fkk);
            out.push_back(k == 0 ? 0.0 : Q - sc * (dt_ * (row + bk * fkk) - 0.25 * dt_ * dt_ * fkk));
        };
        step(fJh_, QJh_, norm_Jh_);
        step(fJr_, QJr_, norm_Jr_);
    }

    void rescale(double f) {
        Y_ *= f;
        if (r_dyn_) YR_ *= f, r_diag_ *= f;
        for (FilteredRow& r : rows_) r.scale(f);
        if (rrow_) rrow_->scale(f);
        log_scale_ -= std::log(f);
    }
};

AdjointResult run_closure(const ModelParams& p, const LagInputs& lag, const std::vector<ClockNode>& nodes,
                          const AdjointOptions& o, const char* state) {
    const auto t0 = std::chrono::steady_clock::now();
    AdjointResult res;
    res.method = "closure";
    res.state = state;
    const Eigen::Index M = static_cast<Eigen::Index>(std::llround(o.horizon / o.dt));
    const bool r_dyn = !p.gate_r().constant() && p.tau_r > 0;
    const std::size_t need = ClosureMarch::bytes(M, r_dyn);
    if (need > o.memory_limit)
        throw BadInput("memory-limit", "the two-time march over horizon " + fmt("%g", o.horizon) + " at dt " +
                                           fmt("%g", o.dt) + " needs " + std::to_string(need) +
                                           " bytes (raise --memory-limit or --dt, or shorten --horizon)");
    ClosureMarch march(p, lag, nodes, o);
    double bad = 0;
    res.finite = march.run(&bad);
    if (!res.finite) res.nonfinite_at = bad;
    res.grid_points = static_cast<std::size_t>(M + 1);

    const Eigen::Index per = static_cast<Eigen::Index>(std::llround(o.resolved_spacing() / o.dt));
    const Eigen::Index last = march.last();
    std::vector<double> s_all, y_all;
    for (Eigen::Index k = 0; k <= last; ++k) {
        s_all.push_back(static_cast<double>(k) * o.dt);
        y_all.push_back(march.log_a_h2()[k]);
    }
    for (Eigen::Index k = 0; k <= last; k += per) {
        res.t_before_horizon.push_back(static_cast<double>(k) * o.dt);
        res.log_a_h2.push_back(march.log_a_h2()[k]);
        res.log_a_h2_err.push_back(0.0);
        if (r_dyn) res.a_r2.push_back(march.a_r2()[k]), res.a_r2_err.push_back(0.0);
        if (k > 0) {
            res.norm_horizons.push_back(static_cast<double>(k) * o.dt);
            res.grad_norm_Jh.push_back(march.norm_Jh()[static_cast<std::size_t>(k)]);
            res.grad_norm_Jr.push_back(march.norm_Jr()[static_cast<std::size_t>(k)]);
            res.grad_norm_Jz.push_back(0.0);
            res.grad_norm_Jh_err.push_back(0.0), res.grad_norm_Jr_err.push_back(0.0), res.grad_norm_Jz_err.push_back(0.0);
        }
    }
    if (res.finite) {
        const bool fixed = std::string(state) == "fixed_point";
        const double T = o.horizon;
        // The rate from the late window [(1 + fit_from) T / 2, T]; its error bar is the change from the
        // whole fit window [fit_from T, T] (the transient decays, so this bounds the late fit's bias).
        const auto full = detail::fit_growth(s_all, y_all, o.fit_from * T, fixed);
        const auto late = detail::fit_growth(s_all, y_all, o.late_window_start(), fixed);
        res.growth_rate = late.first;
        res.growth_prefactor_power = late.second;
        res.growth_rate_err = std::abs(late.first - full.first);
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

// The single node of a constant clock sigma_z(0).
std::vector<ClockNode> constant_clock(const ModelParams& p) {
    const double s0 = p.gate_z().at_zero();
    return {ClockNode{1.0, s0 / p.tau_h, std::pow(p.g_h * s0 / p.tau_h, 2)}};
}

// Nodes over z ~ N(0, Delta_z): the trapezoid rule sized to the gate's steepness (numerics/gaussian_average).
std::vector<ClockNode> spread_clock(const ModelParams& p, double Delta_z) {
    const Gate g = p.gate_z();
    if (g.constant() || !(Delta_z > 0)) return constant_clock(p);
    const double sd = std::sqrt(Delta_z);
    const gauss::Rule rule = gauss::rule_for_strip(M_PI / (std::abs(p.alpha_z) * sd), 1e-10);
    std::vector<ClockNode> nodes;
    for (std::size_t k = 0; k < rule.x.size(); ++k) {
        if (rule.w[k] < 1e-16) continue;
        const double s = g(sd * rule.x[k]);
        nodes.push_back(ClockNode{rule.w[k], s / p.tau_h, rule.w[k] * std::pow(p.g_h * s / p.tau_h, 2)});
    }
    return nodes;
}

LagInputs on_march_grid(const closure::LagPairAverages& avg, const std::vector<double>& tau, double dt,
                        Eigen::Index M) {
    std::vector<double> lags(static_cast<std::size_t>(M + 1));
    for (std::size_t d = 0; d < lags.size(); ++d) lags[d] = static_cast<double>(d) * dt;
    LagInputs in;
    in.phi = interpolate(tau, avg.phi, lags);
    in.dphi = interpolate(tau, avg.dphi, lags);
    in.sr = interpolate(tau, avg.sr, lags);
    in.dsr = interpolate(tau, avg.dsr, lags);
    return in;
}

// Says so in the message when the fitted rate has not reached the special-case value (a horizon short
// against the approach to the asymptotic rate, e.g. near an onset where the gap of the tangent problem closes).
void note_reference(AdjointResult& r) {
    if (!r.finite || !std::isfinite(r.reference_growth) || !std::isfinite(r.growth_rate)) return;
    const double d = r.growth_rate - r.reference_growth;
    if (std::abs(d) > std::max(3 * r.growth_rate_err, 0.01 * std::abs(r.reference_growth)))
        r.message = "the growth rate over this horizon differs from " + r.reference_source + " = " +
                    fmt("%.6g", r.reference_growth) + " by " + fmt("%.3g", d) +
                    ": the approach to the asymptotic rate is slower than the horizon (try a longer --horizon)";
}

}  // namespace

AdjointResult adjoint_closure(const ModelParams& p, const StationaryResult& c, const AdjointOptions& o) {
    o.validate();
    if (p.alpha_z != 0)
        throw BadInput("alpha_z", "the closure adjoint needs a constant clock (alpha_z = 0); use the sampled route");
    if (c.method != "gaussian" || c.termination != Termination::Converged || c.tau.size() < 16)
        throw BadInput("closure", "needs a converged Gaussian-closure result (adjoint_closure)");
    const Eigen::Index M = static_cast<Eigen::Index>(std::llround(o.horizon / o.dt));
    const closure::LagPairAverages avg = closure::lag_pair_averages(p, c.C_h, c.C_r);
    const LagInputs lag = on_march_grid(avg, c.tau, o.dt, M);
    AdjointResult res = run_closure(p, lag, constant_clock(p), o, "chaotic");
    if (std::isfinite(c.lambda_max)) {
        res.reference_growth = 2 * c.lambda_max;
        res.reference_source = "2 lambda_max (" + (c.lambda_method.empty() ? std::string("stationary solve") : c.lambda_method) + ")";
    } else if (o.reference) {
        const ClosureTangentMapResult ref = closure_tangent_lambda(p, c);
        if (ref.converged) {
            res.reference_growth = 2 * ref.lambda_max;
            res.reference_source = "2 lambda_max (closure tangent map)";
        }
    }
    note_reference(res);
    return res;
}

AdjointResult adjoint_fixed_point(const ModelParams& p, double Delta_h, double Delta_r, const AdjointOptions& o) {
    o.validate();
    if (!(Delta_h >= 0) || !(Delta_r >= 0)) throw BadInput("Delta_h", "fixed-point variances must be >= 0");
    const Eigen::Index M = static_cast<Eigen::Index>(std::llround(o.horizon / o.dt));
    const std::size_t n = static_cast<std::size_t>(M + 1);
    const closure::LagPairAverages avg =
        closure::lag_pair_averages(p, std::vector<double>(n, Delta_h), std::vector<double>(n, Delta_r));
    const LagInputs& lag = avg;
    // The clock sigma_z(z_i) is frozen per site at a fixed point, z ~ N(0, Delta_z) independent of h and r,
    // and the drive of a_z vanishes there (eta_h + I - h = 0): nodes over z, no z adjoint.
    const double Delta_z = fixed_point_at(p, Delta_h).Delta_z;
    AdjointResult res = run_closure(p, lag, spread_clock(p, Delta_z), o, "fixed_point");
    if (p.gate_z().constant()) {
        res.reference_growth = 2 * fixed_point_lambda(p, Delta_h, Delta_r);
        res.reference_source = "2 x rightmost real point of the Jacobian support";
    } else {
        const SupportModel s = support_model_gaussian(p, p.input_mean, Delta_h, Delta_r, Delta_z, "fixed point");
        const Boundary b = trace_boundary(s);
        res.reference_growth = 2 * b.rightmost_on_axis;
        res.reference_source = "2 x rightmost real point of the Jacobian support (clock spread: pinched at 0 when stable)";
    }
    if (p.gate_z().constant()) note_reference(res);  // a pinched support: the rate tends to 0 slowly, by design
    return res;
}

}  // namespace gdmft
