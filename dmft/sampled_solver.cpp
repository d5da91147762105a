// The sampled single-site DMFT (THEORY.md 2.4-2.6, Eissfeller-Opper), for any alpha_z.
//
// Unknowns: C_phi(tau) = <phi(h(t)) phi(h(t+tau))> (raw) on the lag grid and its plateau q = C_phi(inf)
// (0 without inputs). q is measured from the per-path time averages of phi, less their finite-time
// variance (numerics/timescales.hpp), and mixed with the lags; it weighs sqrt(n) in the residual, like
// the lag tail it stands for. The static drive of each path is stratified (single_site_sampler.hpp),
// which cuts the sampling error of the static parts several-fold.
// One evaluation of the map C_phi -> C_phi':
//   C_z = g_z^2 C_phi and C_r = g_r^2 C_phi through the gate low-pass (tau = 0: instantaneous),
//   C_sr = <sigma_r sigma_r>(C_r),  <eta_h eta_h> = g_h^2 C_sr C_phi,
//   draw M paths of z and eta_h (+ static parts, + the quenched input), integrate h, measure C_phi'.
// With common random numbers the map is deterministic and Anderson mixing drives the residual
// |C_phi' - C_phi| / |C_phi| to the tolerance (or to noise_tol x the map's own sampling noise, when
// larger), through a schedule of growing path counts (M/8, M/4, M/2, M; at least 256). The tail of the
// measured C_phi below a few % of C_phi(0) is an exponential anchored at two lags (dmft/tail_model.hpp),
// which keeps the map smooth; the anchors are carried from stage to stage, and later sets start with set
// 0's, so a stage starts on the tail form of the fixed point it starts from. The statistical error is the
// spread over independent random sets; set 0 walks the schedule and fixes the window, later sets start
// from its solution at the final path count.
// With options.lyapunov, lambda_max comes from the tangent DMFT on each set's paths (tangent_dmft.hpp).
//
// Known limitation (measured): the fixed point of the finite-M map is biased through the near-marginal
// modes of the self-consistency, and the bias depends on the step; at SCS g_eff = 1.5, window 200, it is
// +0.71% / +0.10% of C_h0 at M = 1000 / 4000 with dt 0.1 and -0.25% / -0.12% with dt 0.2 (errors
// 0.07-0.27%, docs/methods.md), comparable to the statistical error. stat_err does not include it.
#include "dmft/gate_statistics.hpp"
#include "dmft/gaussian_closure.hpp"
#include "dmft/sampled_state.hpp"
#include "dmft/single_site_sampler.hpp"
#include "dmft/stationary.hpp"
#include "dmft/tail_model.hpp"
#include "dmft/tangent_dmft.hpp"
#include "numerics/anderson.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "numerics/timescales.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <numbers>
#include <sstream>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

// Tuning of the sampled solver (kept apart from the user options; documented here).
struct Tuning {
    double measured_windows = 3.0;     // measured path length: at least this many windows (burn-in: half a window)
    double measured_teff = 600;        // ... and at least this many effective time constants (statistics per path)
    // Lag products are measured every lag_step x (the shortest time constant of h) and interpolated to dt
    // (4-point Lagrange, error ~ lag_step^4 / 400 ~ 4e-6 relative): every lag_step tau_h with a fluctuating
    // clock (sigma_z < 1), every lag_step tau_eff = lag_step tau_h / sigma_z(0) with a constant one.
    double lag_step = 0.2;
    double initial_window_teff = 24;   // first window, in units of the effective time constant
    double tail_level = 0.05;          // tail model below this fraction of C0 - q (raised to 5 x estimator noise)
    // The level eps below which the tail model takes over, for a map output with this estimator noise.
    double tail_eps(double noise) const { return std::max(tail_level, 5 * noise); }
    double tail_reanchor = 3.0;        // move the stage's tail anchors when the level at t_e drifts by this factor
    int max_reanchors = 4;             // ... at most this many times per stage
    double decay_level = 1e-4;         // the modelled (C - q)/(C0 - q) must fall below this by 3/4 of the window
    double clip_warn = 1e-3;           // clipped spectral weight that counts as significant
    double stage_tol = 5e-3;           // residual at which a non-final stage hands over
    std::size_t max_lags = std::size_t(1) << 16;
    int max_enlargements = 5;
    // Anderson mixing. Constant clock: undamped with a short memory; on seeds 1-3 of the default model
    // (dt 0.1, 4 sets) it took 70/84/117 iterations in all against 114/169/174 for memory 20 / damping
    // 0.5 (older secant pairs of a noisy map mislead more than they help); seeds 4-8 took 66-164.
    // Fluctuating clock: undamped with a long memory. Damping 0.5 had been chosen when undamped steps
    // oscillated at alpha_z = 15 (residual 0.4-1 for 150 iterations at 1000 paths); since the tail anchors
    // are carried from stage to stage that no longer happens, and undamped is faster (same random numbers,
    // damping 1.0 against 0.5): alpha_z = 5 automatic, 104 iterations against 120 (47 s against 61 s);
    // alpha_z = 15 automatic window (1000 paths x 2 sets, to the window budget) 72 against 121; alpha_z = 15,
    // windows 400 and 1500, 67 / 55 against 69 / 69; alpha_z = 2, seeds 1-4, 451 against 516 in all (0.85
    // of the time). Memory 40 at alpha_z = 5 took 140.
    AndersonOptions anderson_constant_clock{.memory = 8, .damping = 1.0, .regularization = 1e-10, .restart_factor = 10.0};
    AndersonOptions anderson{.memory = 20, .damping = 1.0, .regularization = 1e-10, .restart_factor = 10.0};
};

// Rules of the sampled method on top of StationaryOptions::validate().
void check_options(const StationaryOptions& o) {
    o.validate();
    if (o.grid.dt > 0.5) throw BadInput("dt", "sampled method: the step must be <= 0.5 tau_h");
    if (o.paths < 8) throw BadInput("paths", "sampled method: need at least 8 paths (one SIMD block)");
}

// The fields of THEORY.md 2 from C_phi (raw) and its plateau q.
class FieldBuilder {
public:
    FieldBuilder(const ModelParams& p, std::size_t n, double dt) : p_(p), n_(n), filt_(n, dt) {
        // Smooth taper of the dynamic parts over the last quarter of the window, where the covariance has
        // decayed: it removes the truncation step of the tail.
        taper_ = detail::window_taper(n);
    }

    struct Out {
        SiteFields fields;
        std::vector<double> C_z, C_r, C_sr;
        double q = 0, C_sr_inf = 0;
    };

    Out build(const std::vector<double>& C, double q) {
        Out o;
        o.q = q;
        const Gate gr = p_.gate_r();
        std::vector<double> tmp(n_);
        for (std::size_t k = 0; k < n_; ++k) tmp[k] = p_.g_z * p_.g_z * C[k];
        o.C_z = filt_.apply(tmp, p_.g_z * p_.g_z * q, p_.tau_z);
        for (std::size_t k = 0; k < n_; ++k) tmp[k] = p_.g_r * p_.g_r * C[k];
        o.C_r = filt_.apply(tmp, p_.g_r * p_.g_r * q, p_.tau_r);
        if (gr.constant()) {
            o.C_sr.assign(n_, gr.at_zero() * gr.at_zero());
            o.C_sr_inf = o.C_sr[0];
        } else {
            // C_sr(tau) = <sigma_r(r(t)) sigma_r(r(t+tau))>: one Chebyshev table in the covariance (the
            // shared pair-average rule), evaluated at every lag.
            const double c0 = std::max(0.0, o.C_r[0]);
            const double c_lo = std::min(*std::min_element(o.C_r.begin(), o.C_r.end()), p_.g_r * p_.g_r * q);
            const gauss::PairTable t = closure::gate_r_table(p_, c0, c_lo, 1e-12);
            o.C_sr.resize(n_);
            for (std::size_t k = 0; k < n_; ++k) o.C_sr[k] = t.value(o.C_r[k]);
            o.C_sr_inf = t.value(p_.g_r * p_.g_r * q);
        }
        const double eta_plateau = p_.g_h * p_.g_h * o.C_sr_inf * q;
        o.fields.eta_dyn.resize(n_);
        for (std::size_t k = 0; k < n_; ++k)
            o.fields.eta_dyn[k] = (p_.g_h * p_.g_h * o.C_sr[k] * C[k] - eta_plateau) * taper_[k];
        o.fields.eta_static = eta_plateau;
        const double z_plateau = p_.g_z * p_.g_z * q;
        o.fields.z_dyn.resize(n_);
        for (std::size_t k = 0; k < n_; ++k) o.fields.z_dyn[k] = (o.C_z[k] - z_plateau) * taper_[k];
        o.fields.z_static = z_plateau;
        return o;
    }

private:
    ModelParams p_;
    std::size_t n_;
    LagFilter filt_;
    std::vector<double> taper_;
};


// Large-lag variance of the lag estimator (Bartlett): sigma^2 = sum_j D_j^2 / (M L), relative to D0.
double lag_noise(const std::vector<double>& C, double q, double samples) {
    const double D0 = C[0] - q;
    double ss = -D0 * D0;
    for (double c : C) ss += 2 * (c - q) * (c - q);
    return std::sqrt(std::max(0.0, ss) / samples) / D0;
}

// Decay check of THEORY.md 2.4: the window must hold the decay of C - q down to decay_level * D0 by
// 3/4 of its length (where the taper starts), judged on the tail model: W >= (t_e + tau_t ln(eps /
// decay_level)) / 0.75. Without a tail model (C - q never falls to eps D0 in the first 40% of the
// window) the window is doubled.
// With a constant clock h is a linear filter of the drive and C - q decays at least as fast as an
// exponential with the 1/e time t_1 once past it (THEORY.md 2.4: flat top, exponential tail, so the
// tail e-folding time is at most t_1). A slower fitted tail is then the noise-amplified tail of a
// finite-M fixed point (it varies several-fold between random sets at 500 paths), so the window is
// judged on tau_t <= t_1 and t_e <= t_1 (1 + ln(1 / (e eps))). A fluctuating clock can make genuinely
// long tails; there the fit is used as it is.
struct DecayCheck {
    bool ok = false;
    double needed_window = 0;
    TailModel tail;
    double noise = nan_v;
};

DecayCheck check_decay(const std::vector<double>& C, double q, double dt, double samples, bool constant_clock,
                       const Tuning& tu) {
    DecayCheck d;
    const double W = dt * double(C.size() - 1);
    d.noise = lag_noise(C, q, samples);
    d.tail = fit_tail(C, q, dt, tu.tail_eps(d.noise));
    double te = d.tail.te, tau_t = d.tail.tau_t;
    if (d.tail.applied && constant_clock) {
        tau_t = std::min(tau_t, d.tail.t1);
        te = std::min(te, d.tail.t1 * (1 + std::log(1 / (std::exp(1.0) * d.tail.eps))));
    }
    if (!d.tail.applied || te > 0.4 * W) {
        d.needed_window = 2 * W;
        return d;
    }
    d.needed_window = (te + tau_t * std::log(d.tail.eps / tu.decay_level)) / 0.75;
    d.ok = d.needed_window <= W;
    return d;
}

// Resample C (lags k dt, k < n_old) onto n_new lags: kept where known, continued beyond by an
// exponential decay towards the plateau with the tail time of the last e-fold.
std::vector<double> extend(const std::vector<double>& C, double q, double dt, std::size_t n_new) {
    std::vector<double> out(n_new);
    const std::size_t n = C.size();
    const double t1 = first_crossing(C, q, dt, std::exp(-1.0));
    const double decay = std::isfinite(t1) && t1 > 0 ? t1 : dt * double(n) / 4;
    for (std::size_t k = 0; k < n_new; ++k)
        out[k] = k < n ? C[k] : q + (C[n - 1] - q) * std::exp(-dt * double(k - n + 1) / decay);
    return out;
}

// A decaying shape with the effective time constant, on top of a plateau q0 when inputs make one.
std::vector<double> initial_guess(const ModelParams& p, std::size_t n, double dt, double q0) {
    const double teff = p.tau_eff();
    std::vector<double> C(n);
    for (std::size_t k = 0; k < n; ++k) C[k] = q0 + 0.5 / std::cosh(dt * double(k) / (2 * teff));
    return C;
}

double initial_plateau(const ModelParams& p, bool has_static) {
    if (!has_static) return 0.0;
    // <phi>^2 of the mean input plus the share of the quenched spread that survives phi (a rough start).
    return std::pow(std::tanh(p.input_mean), 2) + 0.5 * p.input_std * p.input_std / (1 + p.input_std * p.input_std);
}

// The first iterate from a nearby solution: its raw C_phi and plateau (the mean over its random sets
// when it kept them), linearly resampled onto the lags k dt and continued
// at its last value beyond its window; the plateau likewise (0 without static parts).
void warm_guess(const StationaryResult& w, bool has_static, double dt, std::vector<double>& x, double& q) {
    std::vector<double> C = w.C_phi;
    double qw = has_static && std::isfinite(w.q_phi) ? w.q_phi : 0.0;
    if (w.sampled_state && !w.sampled_state->sets.empty()) {
        const auto& sets = w.sampled_state->sets;
        const std::size_t len = sets[0].forward.C_phi.size();
        if (len == C.size()) {
            std::fill(C.begin(), C.end(), 0.0);
            qw = 0;
            for (const auto& st : sets) {
                for (std::size_t k = 0; k < len && k < st.forward.C_phi.size(); ++k) C[k] += st.forward.C_phi[k];
                qw += st.forward.phi_plateau;
            }
            for (double& c : C) c /= double(sets.size());
            qw = has_static ? qw / double(sets.size()) : 0.0;
        }
    }
    // Otherwise (e.g. a Gaussian-closure solution) the connected C_phi and q_phi stand for the raw ones:
    // they differ by <phi>^2, which is small, and this is only the first iterate.
    const double wdt = w.tau[1] - w.tau[0], w_end = wdt * double(C.size() - 1);
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double t = dt * double(k);
        x[k] = t < w_end ? at_lag(C, wdt, t) : C.back();
    }
    q = qw;
}

std::vector<std::size_t> stage_paths(std::size_t final_paths) {
    std::vector<std::size_t> s;
    for (std::size_t div : {8, 4, 2, 1}) {
        std::size_t m = std::max<std::size_t>(256, final_paths / div);
        m = (m + 7) / 8 * 8;
        m = std::min(m, final_paths);
        if (s.empty() || m > s.back()) s.push_back(m);
    }
    return s;
}

bool all_finite(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// Per-set outcome.
struct SetResult {
    bool converged = false;
    Termination termination = Termination::MaxIterations;
    std::string message;
    int iterations = 0;
    double residual = nan_v;
    double map_noise = nan_v;  // sampling noise of the map at the last stop (relative norm)
    double target = nan_v;     // residual target at the last stop
    std::vector<double> history;
    std::vector<double> x;  // converged C_phi (raw)
    SiteMeasurement meas;
    FieldBuilder::Out fields;
    TangentResult tangent;
    std::size_t measured = 0;  // measured samples per path
};

struct Iterator {
    const ModelParams& p;
    const StationaryOptions& o;
    const Tuning& tu;
    bool has_static;
    Progress& prog;
    double& work_done;  // path-steps integrated so far
    int set_index, sets;
    std::chrono::steady_clock::time_point start;  // of the solve (for o.max_time)
    // For the progress estimate, set by the caller before each stage: the iterations this stage is
    // expected to take and the work expected after it (path-steps).
    double stage_expect = 12, work_after = 0;

    bool out_of_time() const {
        return o.max_time > 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > o.max_time;
    }

    // The plateau q = C_phi(inf) measured on the paths: from the squared time averages of phi per path,
    // corrected for the finite-time variance of the dynamic part (plateau_from_time_averages);
    // 0 without inputs (h -> -h symmetry).
    double measured_plateau(const SiteMeasurement& m, const SiteGrid& g) const {
        if (!has_static) return 0.0;
        const double q = plateau_from_time_averages(m.C_phi, m.mean_phibar2, g.measured());
        return std::clamp(q, 0.0, std::max(0.0, m.C_phi[0]));
    }

    // Iterates one stage to `tol`; the unknowns (x = C_phi on the lags, q = its plateau) are updated in
    // place. The mixer carries its secant history from stage to stage and from set to set (forget_point).
    Termination run_stage(SingleSiteSampler& smp, FieldBuilder& fb, AndersonMixer& mix, TailAnchors& anchors,
                          std::size_t paths, double tol, double noise_tol, std::vector<double>& x, double& q,
                          SetResult& r, int& budget) {
        mix.forget_point();
        anchors.new_stage();
        const std::size_t n = x.size();
        double best = std::numeric_limits<double>::infinity();
        int stage_iters = 0;
        while (true) {
            if (budget <= 0) return Termination::MaxIterations;
            if (out_of_time()) {
                const auto& h = r.history;
                r.message = "the wall-clock budget max_time " + fmt("%.4g", o.max_time) + " s ran out at set " +
                            std::to_string(set_index + 1) + ", " + std::to_string(paths) +
                            " paths, before the residual settled (last two residuals " +
                            (h.size() > 1 ? fmt("%.3e", h[h.size() - 2]) : std::string("-")) + ", " +
                            (h.empty() ? std::string("-") : fmt("%.3e", h.back())) + ", target " +
                            fmt("%.2e", tol) + " or " + fmt("%.2g", noise_tol) + " x map noise)";
                return Termination::Budget;
            }
            if (!(x[0] - q > 1e-10)) return Termination::NoChaoticSolution;
            const auto f = fb.build(x, q);
            SiteMeasurement m = smp.run(f.fields, paths, false);
            --budget;
            ++r.iterations;
            ++stage_iters;
            const double step_work = double(paths) * double(smp.grid().m);
            work_done += step_work;
            if (!all_finite(m.C_phi)) return Termination::NotFinite;
            const double qn = measured_plateau(m, smp.grid());
            const double noise = lag_noise(m.C_phi, qn, double(paths) * double(smp.grid().measured()));
            // The tail model at the stage's anchors (dmft/tail_model.hpp); when they move, the map has
            // changed and the secant history is cleared.
            const double dtg = smp.grid().dt;
            bool moved = false;
            const TailModel tm = anchors.update(m.C_phi, qn, dtg, tu.tail_eps(noise), &moved);
            if (moved) mix.reset();
            apply_tail(m.C_phi, qn, dtg, tm);
            // Residual over the stacked unknowns (C_phi on the lags, plateau).
            Eigen::VectorXd xv(n + 1), gv(n + 1);
            xv.head(n) = Eigen::Map<const Eigen::VectorXd>(x.data(), n);
            gv.head(n) = Eigen::Map<const Eigen::VectorXd>(m.C_phi.data(), n);
            const double wq = std::sqrt(double(n));  // the plateau weighs like the whole tail of the lags
            xv[n] = wq * q;
            gv[n] = wq * qn;
            const double res = (gv - xv).norm() / xv.norm();
            // Sampling noise of the map output (relative norm): Bartlett's per-lag error over the
            // measured lags (those beyond the tail anchor come from the model).
            const double measured_lags = anchors.set() ? std::min(double(n), anchors.te() / dtg + 1) : double(n);
            const double map_noise = noise * (m.C_phi[0] - qn) * std::sqrt(measured_lags) / xv.norm();
            const double target = std::max(tol, noise_tol * map_noise);
            r.history.push_back(res);
            r.residual = res;
            best = std::min(best, res);
            prog.set_total(work_done + std::max(stage_expect - stage_iters, 1.0) * step_work + work_after);
            prog.update(work_done,
                        "set " + std::to_string(set_index + 1) + "/" + std::to_string(sets) + "  paths " +
                            std::to_string(paths) + "  iteration " + std::to_string(r.iterations) + "  residual " +
                            fmt("%.2e", res));
            if (res <= target) {
                r.map_noise = map_noise;
                r.target = target;
                x = m.C_phi;  // one more map application: the fixed point to within the residual
                q = qn;
                return Termination::Converged;
            }
            if (!std::isfinite(res) || res > 1e3 * best || m.C_phi[0] > 1e6) return Termination::Diverged;
            Eigen::VectorXd nx = mix.next(xv, gv);
            if (!nx.allFinite() || !(nx[0] > 0)) nx = gv;
            // Keep |C(tau)| <= C(0) and 0 <= q <= C(0) (protects early extrapolation).
            for (std::size_t k = 1; k < n; ++k) nx[k] = std::clamp(nx[k], -nx[0], nx[0]);
            x.assign(nx.data(), nx.data() + n);
            // The plateau moves by at most a quarter of the dynamic variance per step: an extrapolated
            // jump of q can otherwise carry the iteration onto the static (fixed-point) branch, q = C(0).
            if (has_static) {
                const double dyn = std::max(0.0, x[0] - q);
                q = std::clamp(std::clamp(nx[n] / wq, q - 0.25 * dyn, q + 0.25 * dyn), 0.0, (1 - 1e-6) * x[0]);
            } else {
                q = 0.0;
            }
        }
    }
};

}  // namespace

StationaryResult solve_sampled(const ModelParams& p, const StationaryOptions& options) {
    p.validate();
    StationaryOptions o = options;
    if (o.grid.dt == 0) o.grid.dt = default_dt(Method::Sampled);
    check_options(o);
    auto state = std::make_shared<SampledState>();
    const Tuning tu;
    StationaryResult res;
    res.method = "sampled";
    const bool has_static = p.input_mean != 0 || p.input_std != 0;
    const double dt = o.grid.dt;
    const bool auto_window = o.grid.window == 0;
    const StationaryResult* warm = o.warm_start.get();
    if (warm && (warm->tau.size() < 2 || warm->C_phi.size() != warm->tau.size()))
        throw BadInput("warm_start", "needs a solution with its lag grid and C_phi");
    const double warm_window = warm ? warm->tau.back() : 0.0;
    std::size_t n = auto_window ? static_cast<std::size_t>(std::ceil(
                                      (warm ? warm_window : tu.initial_window_teff * p.tau_eff()) / dt)) + 1
                                : static_cast<std::size_t>(std::llround(o.grid.window / dt)) + 1;
    const double max_window = o.grid.max_window > 0 ? o.grid.max_window : sampled_default_max_window;
    if (auto_window) n = std::min(n, static_cast<std::size_t>(std::floor(max_window / dt)) + 1);
    n = std::max<std::size_t>(n, 16);
    const std::size_t final_paths = (static_cast<std::size_t>(o.paths) + 7) / 8 * 8;
    const auto stages = stage_paths(final_paths);
    const int sets = o.random_sets;

    // Progress in path-steps. Each stage of set 0 is expected to take 12 iterations; a later set as
    // many as set 0's final stage took, then as many as the later sets took on average.
    double work_done = 0, later_expect = 12;
    int later_done = 0, later_iters = 0;
    Progress prog(o.observer, "sampled DMFT", 1.0);

    std::vector<SetResult> results(sets);
    const auto start = std::chrono::steady_clock::now();
    // The automatic window's history (set 0): what did not settle, when the budget runs out.
    struct WindowRecord {
        double window, C_phi0, q, t1, tau_t, needed;
    };
    std::vector<WindowRecord> windows;
    bool window_exhausted = false;
    double q0 = initial_plateau(p, has_static);
    std::vector<double> x0 = initial_guess(p, n, dt, q0);
    // A warm start changes the first iterate and window only: the path schedule still starts at M/8
    // (skipping the cheap early stages was measured slower in bench_warm_start: the iterations move to
    // the expensive stages).
    if (warm) warm_guess(*warm, has_static, dt, x0, q0);
    std::string notes;
    double clipped_max = 0;

    const bool constant_clock = p.clock_constant();
    AndersonMixer mixer(constant_clock ? tu.anderson_constant_clock : tu.anderson);
    std::unique_ptr<SingleSiteSampler> sampler;
    const TailAnchors no_anchors(tu.tail_reanchor, tu.max_reanchors);
    TailAnchors set0_anchors = no_anchors;  // set 0's at its fixed point: where later sets start
    for (int s = 0; s < sets; ++s) {
        SetResult& r = results[s];
        Iterator it{p, o, tu, has_static, prog, work_done, s, sets, start};
        const std::uint64_t set_seed = stream_key(o.seed, 0x5e7, static_cast<std::uint64_t>(s));
        std::vector<double> x = x0;
        double q = q0;
        int enlargements = 0;
        // Set 0 walks the whole schedule and fixes the window; later sets start from its solution with
        // the final path count only. After an enlargement the schedule resumes at the same stage.
        std::size_t resume_stage = s == 0 ? 0 : stages.size() - 1;
        TailAnchors anchors = set0_anchors;
        while (true) {
            const auto measured = static_cast<std::size_t>(
                std::max(tu.measured_windows * double(n), tu.measured_teff * p.tau_eff() / dt));
            const SiteGrid grid =
                SiteGrid::make(n, dt, measured, tu.lag_step * (constant_clock ? p.tau_eff() : p.tau_h));
            // One sampler per grid: later sets reseed it (same plans and noise buffer).
            if (sampler && sampler->grid().n == grid.n && sampler->grid().m == grid.m)
                sampler->reseed(set_seed);
            else
                sampler = std::make_unique<SingleSiteSampler>(p, grid, final_paths, set_seed);
            SingleSiteSampler& smp = *sampler;
            FieldBuilder fb(p, n, dt);
            Termination t = Termination::Converged;
            bool enlarge = false;
            for (std::size_t st = resume_stage; st < stages.size(); ++st) {
                const bool final_stage = st + 1 == stages.size();
                int budget = o.max_iterations;  // per stage
                const double L = double(grid.m);
                it.stage_expect = s == 0 ? 12.0 : later_expect;
                it.work_after = double(sets - 1 - s) * later_expect * double(final_paths) * L;
                if (s == 0)
                    for (std::size_t later = st + 1; later < stages.size(); ++later)
                        it.work_after += 12.0 * double(stages[later]) * L;
                const int iters_before = r.iterations;
                t = it.run_stage(smp, fb, mixer, anchors, stages[st], final_stage ? o.tol : std::max(o.tol, tu.stage_tol),
                                 o.noise_tol, x, q, r, budget);
                if (final_stage && t == Termination::Converged) {
                    const int used = r.iterations - iters_before;
                    if (s == 0) later_expect = std::max(used, 1);
                    else later_iters += used, ++later_done, later_expect = double(later_iters) / later_done;
                }
                if (t != Termination::Converged) break;
                const double q_now = q;
                const DecayCheck d = check_decay(x, q_now, dt, double(stages[st]) * double(grid.measured()),
                                                   constant_clock, tu);
                log_line(o.observer, "sampled DMFT: set " + std::to_string(s + 1) + ", " + std::to_string(stages[st]) +
                         " paths: residual " + fmt("%.2e", r.residual) + " after " + std::to_string(r.iterations) +
                         " iterations; C_phi(0) " + fmt("%.5f", x[0]) + ", 1/e time " + fmt("%.3g", d.tail.t1) +
                         ", tail from " + fmt("%.3g", d.tail.te) + " (level " + fmt("%.2g", d.tail.eps) +
                         ") with e-folding time " + fmt("%.3g", d.tail.tau_t) + "; window needed " +
                         fmt("%.3g", d.needed_window) + " of " + fmt("%.3g", dt * double(n - 1)));
                // The window is chosen at the first (cheapest) stage. Near-marginal tail modes make the
                // tail of each fixed point noisy (its e-folding time varies up to 2-fold from one random
                // set to the next), so later stages only warn: enlarging on one noisy tail costs more
                // (bigger problem, slower convergence) than it gains. After a first enlargement the
                // window is kept unless it is clearly too short (hysteresis).
                const double W_now = dt * double(n - 1);
                const bool too_short = st == 0 && (enlargements == 0 ? !d.ok : d.needed_window > 1.25 * W_now);
                if (s == 0 && auto_window && !too_short && final_stage && d.needed_window > 1.5 * W_now)
                    notes += "note: the tail of the final fixed point suggests a window of " +
                             fmt("%.3g", d.needed_window) + " (kept " + fmt("%.4g", W_now) + "). ";
                if (s == 0 && auto_window && st == 0)
                    windows.push_back({W_now, x[0], q_now, d.tail.t1, d.tail.tau_t, d.needed_window});
                if (s == 0 && auto_window && too_short && !window_exhausted &&
                    (W_now >= (1 - 1e-9) * max_window || enlargements >= tu.max_enlargements || n >= tu.max_lags)) {
                    // The budget is spent: finish at this window and report what did not settle.
                    window_exhausted = true;
                    log_line(o.observer, "sampled DMFT: the covariance has not decayed in window " + fmt("%.4g", W_now) +
                             ", the automatic window's budget (max_window " + fmt("%.4g", max_window) +
                             "); finishing there");
                }
                if (s == 0 && auto_window && too_short && !window_exhausted) {
                    enlarge = true;
                    const double W = dt * double(n - 1);
                    const double Wn = std::min(std::clamp(d.needed_window * 1.1, 1.25 * W, 2.5 * W), max_window);
                    notes += "window " + fmt("%.4g", W) + " too short (needed " + fmt("%.3g", d.needed_window) +
                             "); enlarged to " + fmt("%.4g", Wn) + ". ";
                    log_line(o.observer, "sampled DMFT: covariance not decayed in window " + fmt("%.4g", W) + "; enlarging to " +
                             fmt("%.4g", Wn));
                    const std::size_t n_new = static_cast<std::size_t>(std::ceil(Wn / dt)) + 1;
                    x = extend(x, q_now, dt, n_new);
                    n = n_new;
                    anchors = no_anchors;
                    resume_stage = st;
                    break;
                }
                if (s == 0 && !auto_window && !d.ok && final_stage) {
                    notes += "warning: the covariance has not decayed in the given window " +
                             fmt("%.4g", dt * double(n - 1)) + " (needed about " + fmt("%.3g", d.needed_window) + "). ";
                    log_line(o.observer, "sampled DMFT: warning: covariance not decayed in the given window");
                }
            }
            if (enlarge) {
                ++enlargements;
                continue;
            }
            r.termination = t;
            r.converged = t == Termination::Converged;
            r.x = x;
            r.fields = fb.build(x, q);
            r.meas = smp.run(r.fields.fields, final_paths, true);
            r.measured = grid.measured();
            const double clipped = std::max(r.meas.clipped_eta, r.meas.clipped_z);
            clipped_max = std::max(clipped_max, clipped);
            if (clipped > tu.clip_warn && s == 0 && auto_window && r.converged) {
                if (++enlargements <= tu.max_enlargements && 2 * n <= tu.max_lags &&
                    dt * double(2 * n - 2) <= max_window) {
                    log_line(o.observer, "sampled DMFT: clipped spectral weight " + fmt("%.2e", clipped) +
                             " is significant; enlarging the window");
                    notes += "clipped weight " + fmt("%.2e", clipped) + " at window " + fmt("%.4g", dt * (n - 1)) +
                             "; enlarged. ";
                    const std::size_t n_new = 2 * n - 1;
                    x = extend(x, q, dt, n_new);
                    n = n_new;
                    anchors = no_anchors;
                    clipped_max = 0;
                    resume_stage = stages.size() - 1;
                    continue;
                }
                log_line(o.observer, "sampled DMFT: warning: clipped spectral weight " + fmt("%.2e", clipped) +
                         " remains significant");
            }
            if (r.converged && o.lyapunov && it.out_of_time()) {
                // The wall-clock budget is checked before each set's tangent DMFT too (one tangent solve
                // costs tens of map evaluations): this set's forward solution is kept, the rest is not run.
                r.converged = false;
                r.termination = Termination::Budget;
                r.message = "the wall-clock budget max_time " + fmt("%.4g", o.max_time) + " s ran out at set " +
                            std::to_string(s + 1) + ", after its forward solution and before its lambda_max";
            }
            if (r.converged) {
                SampledSet set;
                set.seed = set_seed;
                set.grid = grid;
                set.paths = final_paths;
                set.forward.fields = r.fields.fields;
                set.forward.C_r = r.fields.C_r;
                set.forward.r_plateau = p.g_r * p.g_r * r.fields.q;
                set.forward.C_phi = r.x;
                set.forward.phi_plateau = r.fields.q;
                if (o.lyapunov) {
                    // Later sets start from set 0's root and eigenvector (about half the applications).
                    r.tangent = set_tangent_lambda(p, smp, set, o.observer, s > 0 ? &results[0].tangent : nullptr);
                    log_line(o.observer, "sampled DMFT: set " + std::to_string(s + 1) + ": " + r.tangent.message);
                }
                state->sets.push_back(std::move(set));
            }
            break;
        }
        if (s > 0 && r.termination == Termination::Budget) {
            results.resize(s + 1);  // out of time: the later sets are not run
            break;
        }
        if (s == 0) {
            if (!r.converged) {
                // Later sets cannot start from a solution that does not exist.
                results.resize(1);
                break;
            }
            x0 = r.x;
            q0 = r.fields.q;
            set0_anchors = anchors;
        }
    }
    prog.finish();

    // Assemble: every function is the mean over sets; stat_err is the standard error of C_h0.
    const int used = static_cast<int>(results.size());
    res.converged = true;
    res.termination = Termination::Converged;
    res.iterations = 0;
    res.residual = 0;
    for (const auto& r : results) {
        res.iterations += r.iterations;
        res.residual_history.insert(res.residual_history.end(), r.history.begin(), r.history.end());
        if (std::isfinite(r.residual)) res.residual = std::max(res.residual, r.residual);
        if (!r.converged && res.converged) {
            res.converged = false;
            res.termination = r.termination;
        }
    }
    if (!res.converged) {
        const auto& bad = *std::find_if(results.begin(), results.end(), [](const SetResult& r) { return !r.converged; });
        std::string why = bad.message;
        if (why.empty()) {
            switch (bad.termination) {
                case Termination::MaxIterations: why = "max_iterations (per stage) reached before the residual fell to tol"; break;
                case Termination::NoChaoticSolution: why = "the iteration collapsed onto the zero solution (no chaotic state)"; break;
                case Termination::NotFinite: why = "non-finite values in the sampled paths"; break;
                case Termination::Diverged: why = "the residual grew by 1e3 over its best value"; break;
                case Termination::Budget: why = "a budget ran out"; break;
                default: break;
            }
        }
        res.message = "sampled DMFT did not converge: " + why + " (residual " + fmt("%.2e", bad.residual) + "). " + notes;
        if (bad.meas.C_phi.empty()) return res;
    }

    const std::size_t nn = results[0].meas.C_phi.size();
    res.tau.resize(nn);
    for (std::size_t k = 0; k < nn; ++k) res.tau[k] = dt * double(k);
    auto mean_vec = [&](auto get) {
        std::vector<double> out(nn, 0.0);
        int cnt = 0;
        for (const auto& r : results) {
            if (r.meas.C_phi.size() != nn) continue;
            const std::vector<double> v = get(r);
            for (std::size_t k = 0; k < nn; ++k) out[k] += v[k];
            ++cnt;
        }
        for (double& v : out) v /= std::max(cnt, 1);
        return out;
    };
    auto mean_scalar = [&](auto get) {
        std::vector<double> v;
        for (const auto& r : results)
            if (r.meas.C_phi.size() == nn) v.push_back(get(r));
        return mean_err(v);
    };
    const Gate gr = p.gate_r();
    res.C_h = mean_vec([](const SetResult& r) {
        std::vector<double> v = r.meas.C_h;
        for (double& x : v) x -= r.meas.mean_h * r.meas.mean_h;
        return v;
    });
    res.C_phi = mean_vec([](const SetResult& r) {
        std::vector<double> v = r.meas.C_phi;
        for (double& x : v) x -= r.meas.mean_phi * r.meas.mean_phi;
        return v;
    });
    res.C_z = mean_vec([](const SetResult& r) { return r.fields.C_z; });
    res.C_r = mean_vec([](const SetResult& r) { return r.fields.C_r; });
    res.C_srphi = mean_vec([&](const SetResult& r) {
        std::vector<double> v(nn);
        const double ms = gate_mean(gr, r.fields.C_r[0]);
        for (std::size_t k = 0; k < nn; ++k)
            v[k] = r.fields.C_sr[k] * r.meas.C_phi[k] - std::pow(ms * r.meas.mean_phi, 2);
        return v;
    });
    res.R = mean_vec([](const SetResult& r) { return r.meas.R; });

    const auto ch0 = mean_scalar([](const SetResult& r) { return r.meas.C_h[0] - r.meas.mean_h * r.meas.mean_h; });
    res.C_h0 = ch0.mean;
    res.stat_err = ch0.stderr_;
    res.C_phi0 = res.C_phi[0];
    res.C_z0 = res.C_z[0];
    res.C_r0 = res.C_r[0];
    res.mean_h = mean_scalar([](const SetResult& r) { return r.meas.mean_h; }).mean;
    res.mean_sigma_z = mean_scalar([](const SetResult& r) { return r.meas.mean_sigma_z; }).mean;
    if (has_static) {
        // Plateaus from the per-path time averages (plateau_from_time_averages), minus <x>^2.
        res.q_h = mean_scalar([](const SetResult& r) {
                      return plateau_from_time_averages(r.meas.C_h, r.meas.mean_hbar2, r.measured) -
                             r.meas.mean_h * r.meas.mean_h;
                  }).mean;
        res.q_phi = mean_scalar([](const SetResult& r) { return r.fields.q - r.meas.mean_phi * r.meas.mean_phi; }).mean;
    } else {
        res.q_h = 0;  // no static part without inputs (h -> -h symmetry)
        res.q_phi = 0;
    }
    res.tau_corr = correlation_time(res.tau, res.C_h, res.q_h);
    res.tau_response = mean_response_time(res.tau, res.R);
    res.clipped_weight = clipped_max;
    res.sampled_state = state;
    for (const auto& r : results)
        if (r.meas.C_h.size() == nn) res.set_C_h0.push_back(r.meas.C_h[0] - r.meas.mean_h * r.meas.mean_h);
    if (o.lyapunov) {
        std::vector<double> lams;
        bool all_ok = true;
        for (const auto& r : results) {
            if (std::isfinite(r.tangent.lambda_max)) lams.push_back(r.tangent.lambda_max);
            all_ok = all_ok && r.tangent.converged;
        }
        const auto le = mean_err(lams);
        res.lambda_max = lams.empty() ? nan_v : le.mean;
        res.lambda_max_err = lams.size() > 1 ? le.stderr_ : nan_v;
        if (!lams.empty()) res.lambda_method = to_string(LyapunovMethod::SampledTangent);
        if (!all_ok) {
            notes += "lambda_max: the tangent DMFT did not converge for every set (" + results[0].tangent.message + "). ";
            if (res.converged) {
                res.converged = false;
                res.termination = Termination::MaxIterations;
                res.message = "sampled DMFT converged, but lambda_max did not: " + results[0].tangent.message + ". ";
            }
        }
    }

    if (window_exhausted && res.converged) {
        // Converged at the largest window allowed, but the covariance had not decayed there: the numbers
        // are kept (they are the solution on that window), the exit is not a success.
        res.converged = false;
        res.termination = Termination::Budget;
        std::string hist;
        for (std::size_t i = windows.size() >= 2 ? windows.size() - 2 : 0; i < windows.size(); ++i) {
            const auto& w = windows[i];
            hist += (hist.empty() ? "" : "; ") + std::string("at window ") + fmt("%.4g", w.window) + ": C_phi(0) " +
                    fmt("%.5f", w.C_phi0) + ", plateau " + fmt("%.4f", w.q) + ", 1/e time of C_phi - q " +
                    fmt("%.4g", w.t1) + ", tail e-folding time " + fmt("%.4g", w.tau_t) + ", window needed " +
                    fmt("%.4g", w.needed);
        }
        res.message = "sampled DMFT did not settle within the automatic window's budget (max_window " +
                      fmt("%.4g", max_window) + "): C_phi - q had not decayed in the window (" + hist +
                      "). The results are the solution on the last window. " +
                      (p.clock_constant() ? std::string()
                                          : std::string("At large alpha_z the state can age (docs/slow_regime.md): "
                                                        "measure C(t_w + tau, t_w) with `transient --start network "
                                                        "--waiting-times`. ")) +
                      notes;
    }

    double map_noise_max = 0;  // std::fmax skips the NaN of a set that never stopped
    for (const auto& r : results) {
        map_noise_max = std::fmax(map_noise_max, r.map_noise);
        res.residual_target = std::fmax(res.residual_target, r.target);
    }
    if (res.converged) {
        std::ostringstream msg;
        msg << "converged: " << used << " random set(s) of " << final_paths << " paths, window "
            << dt * double(nn - 1) << " (" << nn << " lags, dt " << dt << "), residual " << fmt("%.2e", res.residual)
            << " <= max(tol " << fmt("%.1e", o.tol) << ", " << fmt("%.2g", o.noise_tol) << " x map sampling noise "
            << fmt("%.2e", map_noise_max) << "), clipped weight " << fmt("%.2e", clipped_max) << ". ";
        if (o.lyapunov)
            msg << "lambda_max " << fmt("%.6g", res.lambda_max) << " +- " << fmt("%.2g", res.lambda_max_err) << " ("
                << results[0].tangent.evaluations << " rho evaluations, " << results[0].tangent.applications
                << " tangent map applications in set 1). ";
        msg << notes;
        res.message = msg.str();
    }
    return res;
}

}  // namespace gdmft
