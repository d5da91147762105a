#include "dmft/lyapunov_closure_tangent.hpp"

#include "dmft/gate_statistics.hpp"
#include "dmft/gaussian_closure.hpp"
#include "numerics/format.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

class ClosureTangentMap {
public:
    ClosureTangentMap(const ModelParams& p, const StationaryResult& c)
        : p_(p), n_(c.tau.size()), dt_(c.tau[1] - c.tau[0]), filt_(n_, dt_), unit_(p.gate_z().at_zero() / p.tau_h) {
        closure::LagPairAverages avg = closure::lag_pair_averages(p, c.C_h, c.C_r);
        P_ = std::move(avg.phi), P1_ = std::move(avg.dphi), Q_ = std::move(avg.sr), G1_ = std::move(avg.dsr);
        r_dyn_ = !p.gate_r().constant();
    }

    std::size_t n() const { return n_; }
    double unit() const { return unit_; }

    // B' = T_lambda B.
    std::vector<double> apply(const std::vector<double>& B, double lambda) {
        const double kappa = lambda + unit_;
        if (!(kappa > 0)) throw BadInput("lambda", "lambda must exceed -sigma_z(0)/tau_h (closure tangent)");
        std::vector<double> src(n_);
        for (std::size_t k = 0; k < n_; ++k) src[k] = p_.g_h * p_.g_h * B[k];
        std::vector<double> A = filt_.apply(src, 0.0, 1 / kappa);
        const double gain = unit_ * unit_ / (kappa * kappa);
        for (std::size_t k = 0; k < n_; ++k) A[k] *= gain * P1_[k];
        std::vector<double> out(n_);
        for (std::size_t k = 0; k < n_; ++k) out[k] = Q_[k] * A[k];
        if (r_dyn_) {
            for (std::size_t k = 0; k < n_; ++k) src[k] = p_.g_r * p_.g_r * A[k];
            std::vector<double> yr = src;
            if (p_.tau_r > 0) {
                const double a = 1 + p_.tau_r * lambda;
                if (!(a > 0)) throw BadInput("lambda", "lambda must exceed -1/tau_r (closure tangent)");
                yr = filt_.apply(src, 0.0, p_.tau_r / a);
                for (double& v : yr) v /= a * a;
            }
            for (std::size_t k = 0; k < n_; ++k) out[k] += G1_[k] * P_[k] * yr[k];
        }
        return out;
    }

private:
    ModelParams p_;
    std::size_t n_;
    double dt_;
    LagFilter filt_;
    double unit_;
    bool r_dyn_ = false;
    std::vector<double> P_, P1_, Q_, G1_;  // <phi phi>, <phi' phi'>, <s_r s_r>, <s_r' s_r'> at each lag
};

}  // namespace

ClosureTangentMapResult closure_tangent_lambda(const ModelParams& p, const StationaryResult& c, double lambda_tol) {
    ClosureTangentMapResult res;
    if (p.alpha_z != 0) throw BadInput("alpha_z", "needs alpha_z = 0 (closure_tangent_lambda)");
    if (c.method != "gaussian" || c.termination != Termination::Converged || c.tau.size() < 16)
        throw BadInput("closure", "needs a converged chaotic Gaussian-closure result (closure_tangent_lambda)");
    ClosureTangentMap T(p, c);
    const std::size_t n = T.n();
    // Start from the shape of the forward C_srphi (positive, decaying); warm starts afterwards.
    std::vector<double> B(n);
    for (std::size_t k = 0; k < n; ++k) B[k] = std::max(0.0, c.C_srphi[k] - c.C_srphi.back());
    if (!(B[0] > 0)) B.assign(n, 0.0), B[0] = 1;
    bool power_ok = true;
    auto rho = [&](double lambda) {
        double r = nan_v, prev = nan_v;
        bool ok = false;
        for (int it = 0; it < 5000; ++it) {
            std::vector<double> Bn = T.apply(B, lambda);
            ++res.iterations;
            r = Bn[0] / B[0];
            if (!(r > 0) || !std::isfinite(r)) break;
            for (std::size_t k = 0; k < n; ++k) B[k] = Bn[k] / Bn[0];
            if (std::abs(r - prev) <= 1e-13 * r) {
                ok = true;
                break;
            }
            prev = r;
        }
        ++res.evaluations;
        power_ok = power_ok && ok;
        return r;
    };
    const double unit = T.unit();
    double la = 0, fa = std::log(rho(0.0));
    res.rho_zero = std::exp(fa);
    if (!std::isfinite(fa) || !(fa > 0)) {
        res.message = "closure tangent: spectral radius at lambda = 0 is " + fmt("%.6g", res.rho_zero) +
                      " (no positive exponent, or the power iteration failed)";
        return res;
    }
    double lb = 0.1 * unit, fb = std::log(rho(lb));
    while (std::isfinite(fb) && fb > 0 && lb < 20 * unit) {
        la = lb, fa = fb;
        lb *= 2;
        fb = std::log(rho(lb));
    }
    if (!std::isfinite(fb) || fb > 0) {
        res.message = "closure tangent: could not bracket the root of ln rho(lambda)";
        return res;
    }
    // Illinois on [la, lb], fa > 0 > fb, until the bracket is below lambda_tol (relative to the unit).
    double lc = 0.5 * (la + lb);
    for (int it = 0; it < 200 && std::abs(lb - la) > lambda_tol * unit; ++it) {
        lc = lb - fb * (lb - la) / (fb - fa);
        const double fc = std::log(rho(lc));
        if (!std::isfinite(fc)) {
            res.message = "closure tangent: non-finite spectral radius at lambda = " + fmt("%.6g", lc);
            return res;
        }
        if (fc == 0) {
            la = lb = lc;
            break;
        }
        if (fc * fb < 0) {
            la = lb, fa = fb;
        } else {
            fa /= 2;
        }
        lb = lc, fb = fc;
    }
    res.lambda_max = lc;
    res.converged = power_ok && std::abs(lb - la) <= lambda_tol * unit * 1.0001;
    res.message = "closure tangent map (deterministic): lambda_max = " + fmt("%.8g", lc) + " per tau_h, rho(0) = " +
                  fmt("%.6g", res.rho_zero) + ", " + std::to_string(res.evaluations) + " rho evaluations, " +
                  std::to_string(res.iterations) + " map applications" +
                  (power_ok ? "" : "; a power iteration did not converge");
    return res;
}

double fixed_point_lambda(const ModelParams& p, double Delta_h, double Delta_r) {
    if (p.alpha_z != 0) throw BadInput("alpha_z", "needs alpha_z = 0 (fixed_point_lambda)");
    const Phi phi = p.phi_fn();
    const Gate gr = p.gate_r();
    const double s0 = p.gate_z().at_zero(), mu = p.input_mean, Dh = std::max(0.0, Delta_h);
    const double p2 = gauss::mean([&](double u) { const double v = phi(u); return v * v; }, mu, Dh);
    const double d2 = gauss::mean([&](double u) { const double v = phi.deriv(u); return v * v; }, mu, Dh);
    const double Dr = std::max(0.0, Delta_r);
    const double sr2 = gate_mean_sq(gr, Dr);
    const double sd2 = gr.constant() ? 0.0 : gauss::mean([&](double u) { const double v = gr.deriv(u); return v * v; }, 0.0, Dr);
    const double a = sr2 * d2, b = p.g_r * p.g_r * sd2 * p2 * d2;
    auto F = [&](double lam) {
        const double x = s0 / (p.tau_h * lam + s0);
        const double y = 1 + p.tau_r * lam;
        return p.g_h * p.g_h * x * x * (a + b / (y * y));
    };
    // F decreases from +infinity at the nearest pole to 0 at +infinity.
    double lo = -s0 / p.tau_h;
    if (p.tau_r > 0 && b > 0) lo = std::max(lo, -1 / p.tau_r);
    double hi = std::max(1.0, std::abs(lo));
    while (F(hi) > 1) hi *= 2;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(hi)); ++it) {
        const double mid = 0.5 * (lo + hi);
        (F(mid) > 1 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace gdmft
