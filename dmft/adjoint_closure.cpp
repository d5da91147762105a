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

#include "dmft/gaussian_closure.hpp"
#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/transient_dmft.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/interpolate.hpp"

#include <Eigen/Dense>

#include <chrono>
#include <cmath>

namespace gdmft {

namespace {

using Mat = Eigen::MatrixXd;

// Lag functions on the march grid (index = lag in steps).
struct LagInputs {
    std::vector<double> phi, dphi, sr, dsr;
};

struct Filter1D {
    double e = 1, w0 = 0, w1 = 0;  // int over one step of e^{-k (s_{n+1} - u)} y(u), y linear
    static Filter1D make(double dt, double k) {
        const detail::FilterStep f = detail::FilterStep::make(dt, 1.0 / k);  // tau x' = -x + u form
        return {f.a, f.c0 / k, f.c1 / k};
    }
};

class ClosureMarch {
public:
    ClosureMarch(const ModelParams& p, const LagInputs& lag, const AdjointOptions& o)
        : p_(p), lag_(lag), M_(static_cast<Eigen::Index>(std::llround(o.horizon / o.dt))), dt_(o.dt) {
        s0_ = p.gate_z().at_zero();
        kappa_ = s0_ / p.tau_h;
        ch2_ = std::pow(p.g_h * s0_ / p.tau_h, 2);
        r_var_ = !p.gate_r().constant();
        r_dyn_ = r_var_ && p.tau_r > 0;
        fa_ = Filter1D::make(dt_, kappa_);
        if (r_dyn_) fr_ = Filter1D::make(dt_, 1.0 / p.tau_r);
        const Eigen::Index n = M_ + 1;
        A_.setZero(n, n), ZA_.setZero(n, n), YA_.setZero(n, n);
        if (r_dyn_) R_.setZero(n, n), ZR_.setZero(n, n), YR_.setZero(n, n);
    }

    static std::size_t bytes(Eigen::Index M, bool r_dyn) {
        const double n = static_cast<double>(M + 1);
        return static_cast<std::size_t>(n * n * 8.0 * (r_dyn ? 6 : 3));
    }

    // Runs the march; returns false (with the step) when a value became non-finite.
    bool run(double* nonfinite_at) {
        for (Eigen::Index k = 0; k <= M_; ++k) {
            row(k);
            const double d = A_(k, k);
            if (!std::isfinite(d) || (r_dyn_ && !std::isfinite(R_(k, k))) || !(d > 0)) {
                *nonfinite_at = static_cast<double>(k) * dt_;
                last_ = k - 1;
                return false;
            }
            log_diag_.push_back(std::log(d) + log_scale_);
            ar_diag_.push_back(r_dyn_ ? R_(k, k) * std::exp(log_scale_) : 0.0);
            if (d > 1e150 || d < 1e-150) rescale(1.0 / d);
            last_ = k;
        }
        return true;
    }

    // ln a_h2 and a_r2 on the grid; grad norms over [0, s_K]^2 for each K in `ends` (grid indices).
    const std::vector<double>& log_a_h2() const { return log_diag_; }
    const std::vector<double>& a_r2() const { return ar_diag_; }
    Eigen::Index last() const { return last_; }
    double log_scale() const { return log_scale_; }

    // (1/N^2) sum (dL/dJ)^2 over [0, s_K]^2 (in units of the current scale^2: multiply by exp(log_scale)).
    struct Norms {
        double Jh = 0, Jr = 0;
    };
    Norms norms(Eigen::Index K) const {
        Norms out;
        for (Eigen::Index k = 0; k <= K; ++k) {
            const double wk = (k == 0 || k == K) ? 0.5 * dt_ : dt_;
            for (Eigen::Index j = 0; j <= K; ++j) {
                const double w = wk * ((j == 0 || j == K) ? 0.5 * dt_ : dt_);
                const std::size_t d = static_cast<std::size_t>(std::abs(k - j));
                const double Kh = ch2_ * A_(k, j);
                out.Jh += w * Kh / (p_.g_h * p_.g_h) * lag_.sr[d] * lag_.phi[d];
                if (r_dyn_)
                    out.Jr += w * R_(k, j) / (p_.tau_r * p_.tau_r) * lag_.phi[d];
                else if (r_var_)
                    out.Jr += w * lag_.dsr[d] * lag_.phi[d] * Kh * lag_.phi[d];
            }
        }
        return out;
    }

private:
    ModelParams p_;
    const LagInputs& lag_;
    Eigen::Index M_;
    double dt_, s0_ = 1, kappa_ = 1, ch2_ = 1;
    bool r_var_ = false, r_dyn_ = false;
    Filter1D fa_, fr_;
    Mat A_, ZA_, YA_, R_, ZR_, YR_;
    double log_scale_ = 0;  // stored values are the true ones times exp(-log_scale_)
    std::vector<double> log_diag_, ar_diag_;
    Eigen::Index last_ = -1;

    // The coupling Y = Mx X at lag d: Y_A = a X_A + b X_R, Y_R = c X_A.
    void coupling(std::size_t d, double& a, double& b, double& c) const {
        const double gr2 = p_.g_r * p_.g_r;
        a = lag_.dphi[d] * ch2_ * lag_.sr[d];
        b = 0, c = 0;
        if (r_var_ && !r_dyn_) a += lag_.dphi[d] * gr2 * lag_.dsr[d] * lag_.phi[d] * ch2_;
        if (r_dyn_) {
            b = lag_.dphi[d] * gr2 / (p_.tau_r * p_.tau_r);
            c = lag_.dsr[d] * lag_.phi[d] * ch2_;
        }
    }

    double homogeneous(Eigen::Index k, Eigen::Index j) const {
        return std::exp(-kappa_ * dt_ * static_cast<double>(k + j) - log_scale_);
    }

    // Z(u, k) for u < k from column k of Y (= row k, known for u < k).
    static void fill_column(Mat& Z, const Mat& Y, const Filter1D& f, Eigen::Index k) {
        Z(0, k) = 0;
        for (Eigen::Index u = 1; u < k; ++u) Z(u, k) = f.e * Z(u - 1, k) + f.w0 * Y(u - 1, k) + f.w1 * Y(u, k);
    }

    void row(Eigen::Index k) {
        for (Eigen::Index j = 0; j <= k; ++j) {
            if (j == k && k > 0) {
                fill_column(ZA_, YA_, fa_, k);
                if (r_dyn_) fill_column(ZR_, YR_, fr_, k);
            }
            const std::size_t d = static_cast<std::size_t>(k - j);
            double a, b, c;
            coupling(d, a, b, c);
            // Z(k, j) = zk + w1 Y(k, j); V(k, j) = vk + w1 Z(k, j) (V(k, 0) = 0, Z(0, j) = 0).
            auto parts = [&](const Mat& Z, const Mat& Y, const Mat& X, const Filter1D& f, double hom,
                             double hom_prev, double& zk, double& vk, double& coef) {
                zk = k > 0 ? f.e * Z(k - 1, j) + f.w0 * Y(k - 1, j) : 0.0;
                if (j == 0) {  // V(k, 0) = 0: the homogeneous part only
                    vk = hom, coef = 0;
                } else {
                    const double vprev = X(k, j - 1) - hom_prev;
                    vk = hom + f.e * vprev + f.w0 * Z(k, j - 1) + f.w1 * zk;
                    coef = f.w1 * f.w1;  // j >= 1 implies k >= 1
                }
            };
            double zA, vA, cA;
            parts(ZA_, YA_, A_, fa_, homogeneous(k, j), j > 0 ? homogeneous(k, j - 1) : 0.0, zA, vA, cA);
            double xA, xR = 0, zR = 0, vR = 0, cR = 0;
            if (r_dyn_) {
                parts(ZR_, YR_, R_, fr_, 0.0, 0.0, zR, vR, cR);
                // xA = vA + cA (a xA + b xR), xR = vR + cR c xA.
                const double m11 = 1 - cA * a, m12 = -cA * b, m21 = -cR * c, m22 = 1;
                const double det = m11 * m22 - m12 * m21;
                xA = (vA * m22 - m12 * vR) / det;
                xR = (m11 * vR - m21 * vA) / det;
            } else {
                xA = vA / (1 - cA * a);
            }
            const double yA = a * xA + b * xR;
            A_(k, j) = A_(j, k) = xA;
            YA_(k, j) = YA_(j, k) = yA;
            ZA_(k, j) = zA + (k > 0 ? fa_.w1 : 0.0) * yA;
            if (r_dyn_) {
                const double yR = c * xA;
                R_(k, j) = R_(j, k) = xR;
                YR_(k, j) = YR_(j, k) = yR;
                ZR_(k, j) = zR + (k > 0 ? fr_.w1 : 0.0) * yR;
            }
        }
    }

    void rescale(double f) {
        A_ *= f, ZA_ *= f, YA_ *= f;
        if (r_dyn_) R_ *= f, ZR_ *= f, YR_ *= f;
        log_scale_ -= std::log(f);
    }
};

AdjointResult run_closure(const ModelParams& p, const LagInputs& lag, const AdjointOptions& o, const char* state) {
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
    ClosureMarch march(p, lag, o);
    double bad = 0;
    res.finite = march.run(&bad);
    if (!res.finite) res.nonfinite_at = bad;
    res.grid_points = static_cast<std::size_t>(M + 1);

    const Eigen::Index per = static_cast<Eigen::Index>(std::llround(o.profile_spacing / o.dt));
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
        // Norms at this horizon, in true units (scale^2 of A: exp(log_scale)).
        if (k > 0) {
            const auto n = march.norms(k);
            const double sc = std::exp(march.log_scale());
            res.norm_horizons.push_back(static_cast<double>(k) * o.dt);
            res.grad_norm_Jh.push_back(n.Jh * sc);
            res.grad_norm_Jr.push_back(n.Jr * sc);
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
        const auto late = detail::fit_growth(s_all, y_all, 0.5 * (1 + o.fit_from) * T, fixed);
        res.growth_rate = late.first;
        res.growth_prefactor_power = late.second;
        res.growth_rate_err = std::abs(late.first - full.first);
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
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
    AdjointResult res = run_closure(p, lag, o, "chaotic");
    ClosureTangentMapResult ref = closure_tangent_lambda(p, c);
    if (ref.converged) {
        res.reference_growth = 2 * ref.lambda_max;
        res.reference_source = "2 lambda_max (closure tangent map)";
    }
    return res;
}

AdjointResult adjoint_fixed_point(const ModelParams& p, double Delta_h, double Delta_r, const AdjointOptions& o) {
    o.validate();
    if (p.alpha_z != 0)
        throw BadInput("alpha_z", "the closure adjoint needs a constant clock (alpha_z = 0); use the sampled route");
    if (!(Delta_h >= 0) || !(Delta_r >= 0)) throw BadInput("Delta_h", "fixed-point variances must be >= 0");
    const Eigen::Index M = static_cast<Eigen::Index>(std::llround(o.horizon / o.dt));
    const std::size_t n = static_cast<std::size_t>(M + 1);
    const closure::LagPairAverages avg =
        closure::lag_pair_averages(p, std::vector<double>(n, Delta_h), std::vector<double>(n, Delta_r));
    LagInputs lag{avg.phi, avg.dphi, avg.sr, avg.dsr};
    AdjointResult res = run_closure(p, lag, o, "fixed_point");
    res.reference_growth = 2 * fixed_point_lambda(p, Delta_h, Delta_r);
    res.reference_source = "2 x rightmost real point of the Jacobian support";
    return res;
}

}  // namespace gdmft
