#include "validation/pulse_response.hpp"

#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "numerics/timescales.hpp"
#include "numerics/stats.hpp"
#include "validation/integrator.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace gdmft::sim {

namespace {

// Pulse directions under the network seed (after network.hpp's streams and simulation.cpp's tangent
// stream 6): trajectory m draws its N x K signs from derive_seed(derive_seed(seed, 7), m).
constexpr std::uint64_t kStreamPulse = 7;

void require_finite(const char* name, double v) {
    if (!std::isfinite(v)) throw BadInput(name, "must be a finite number");
}

int steps_per_sample(const PulseOptions& o) { return std::max(1, static_cast<int>(std::lround(o.sample_dt / o.dt))); }

std::size_t n_samples(const PulseOptions& o, double sdt) {
    return static_cast<std::size_t>(std::floor(o.horizon / sdt + 1e-9)) + 1;
}

Eigen::MatrixXd pulse_directions(std::size_t N, int K, std::uint64_t seed, int m) {
    NormalStream rng(derive_seed(derive_seed(seed, kStreamPulse), static_cast<std::uint64_t>(m)));
    Eigen::MatrixXd V(static_cast<Eigen::Index>(N), K);
    for (int k = 0; k < K; ++k)
        for (Eigen::Index i = 0; i < V.rows(); ++i) V(i, k) = (rng.next_u64() >> 63) ? 1.0 : -1.0;
    return V;
}

double trapezoid(const std::vector<double>& t, const std::vector<double>& y, std::size_t n) {
    double s = 0;
    for (std::size_t k = 1; k < n; ++k) s += 0.5 * (t[k] - t[k - 1]) * (y[k] + y[k - 1]);
    return s;
}

}  // namespace

void PulseOptions::validate() const {
    if (N < 2) throw BadInput("N", "must be >= 2");
    if (realizations < 1) throw BadInput("realizations", "must be >= 1");
    if (trajectories < 1) throw BadInput("trajectories", "must be >= 1");
    if (directions < 1) throw BadInput("directions", "must be >= 1");
    require_finite("t_burn", t_burn);
    require_finite("horizon", horizon);
    require_finite("dt", dt);
    require_finite("sample_dt", sample_dt);
    require_finite("eps", eps);
    if (t_burn < 0) throw BadInput("t_burn", "must be >= 0");
    if (!(horizon > 0)) throw BadInput("horizon", "must be > 0");
    if (!(dt > 0)) throw BadInput("dt", "must be > 0");
    if (!(sample_dt > 0)) throw BadInput("sample_dt", "must be > 0");
    if (eps < 0) throw BadInput("eps", "must be >= 0 (0: exact linear response)");
    drive.validate();
}

double mean_time(const std::vector<double>& t, const std::vector<double>& y) { return mean_response_time(t, y); }

double rel_l2(const std::vector<double>& t, const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
    std::vector<double> d2(n), b2(n);
    for (std::size_t k = 0; k < n; ++k) d2[k] = (a[k] - b[k]) * (a[k] - b[k]), b2[k] = b[k] * b[k];
    return std::sqrt(trapezoid(t, d2, n) / trapezoid(t, b2, n));
}

namespace {

struct Realization {
    PulseRealization out;
    std::vector<double> m_dir_stderr;  // standard error over all single-direction readouts
};

Realization run_one(const ModelParams& p, const PulseOptions& o, std::uint64_t seed, const std::string& label) {
    const auto wall0 = std::chrono::steady_clock::now();
    Realization res;
    PulseRealization& out = res.out;
    out.seed = seed;
    const Network net(p, {o.N, seed, o.single_precision, false});
    const int M = o.trajectories, K = o.directions;
    const Eigen::Index n = static_cast<Eigen::Index>(o.N), dim = static_cast<Eigen::Index>(net.dim());
    const bool linear = o.eps == 0;
    const double eps = linear ? 1.0 : o.eps;
    const Gate gr = p.gate_r();
    const GateDrive& drive = o.drive;
    auto input_at = [&](double t) { return GateInput{drive.b_z(t), drive.b_r(t)}; };

    // Trajectory columns: M (linear) or M (1 + K) (finite pulse: base and perturbed copies).
    Columns cols{M, 0};
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double t) { net.rhs(x, dx, cols, input_at(t)); };
    Eigen::MatrixXd X(dim, M);
    for (int m = 0; m < M; ++m) X.col(m) = net.initial_state(m);
    Integrator integ(IntegratorOptions{IntegratorKind::Rk4, o.dt});
    const int sps = steps_per_sample(o);
    const double sdt = sps * o.dt;
    const std::size_t S = n_samples(o, sdt);
    Progress progress(o.observer, label, o.t_burn + static_cast<double>(S - 1) * sdt);

    const double bound = 2.0 * std::max(X.cwiseAbs().maxCoeff(), net.state_bound()) + 1.0;
    double t = -o.t_burn;
    auto advance_to = [&](double target) {
        integ.advance(f, X, t, target);
        const bool finite = X.allFinite();
        if (!finite || X.leftCols(cols.M).cwiseAbs().maxCoeff() > bound) {
            std::ostringstream os;
            os << label << ": the state became " << (finite ? "larger than the bound of the exact dynamics" : "non-finite")
               << " by t = " << t << " (the run blew up; use a smaller --dt)";
            throw NumericalFailure(os.str());
        }
        progress.update(t + o.t_burn);
    };

    // 1. Burn-in, in chunks of one sample interval (for the blow-up check and progress).
    while (t < 0) advance_to(std::min(t + sdt, 0.0));

    // 2. The pulse: initial perturbations diag(sigma_z(z(0))/tau_h) v, read out along v.
    std::vector<Eigen::MatrixXd> V(static_cast<std::size_t>(M));
    std::vector<double> sz0(static_cast<std::size_t>(M));
    Eigen::MatrixXd D(dim, M * K);
    D.setZero();
    for (int m = 0; m < M; ++m) {
        V[m] = pulse_directions(o.N, K, seed, m);
        const Eigen::VectorXd sz = net.observe(X, m, input_at(0.0)).sigma_z;
        sz0[m] = sz.mean();
        for (int k = 0; k < K; ++k) D.col(m * K + k).head(n) = eps * sz.cwiseProduct(V[m].col(k)) / p.tau_h;
    }
    X.conservativeResize(dim, M * (1 + K));
    if (linear) {
        X.rightCols(M * K) = D;
        cols = Columns{M, K};
    } else {
        for (int m = 0; m < M; ++m)
            for (int k = 0; k < K; ++k) X.col(M + m * K + k) = X.col(m) + D.col(m * K + k);
        cols = Columns{M * (1 + K), 0};
    }
    integ.state_changed();

    // 3. Readout on the sample grid.
    PulseCurves& c = out.curves;
    for (auto* v : {&c.m, &c.sigma_z, &c.sigma_r, &c.var_h, &c.tangent_norm}) v->assign(S, 0.0);
    out.m_trajectory.assign(static_cast<std::size_t>(M), std::vector<double>(S, 0.0));
    res.m_dir_stderr.assign(S, 0.0);
    std::vector<double> single(static_cast<std::size_t>(M * K));
    const double NN = static_cast<double>(o.N);
    for (std::size_t s = 0; s < S; ++s) {
        if (s > 0) advance_to(static_cast<double>(s) * sdt);
        const double ts = static_cast<double>(s) * sdt;
        double norm2 = 0;
        for (int m = 0; m < M; ++m) {
            const Observables ob = net.observe(X, m, input_at(ts));
            const double mh = ob.h.mean();
            c.sigma_z[s] += ob.sigma_z.mean() / M;
            c.sigma_r[s] += (ob.r.size() > 0 ? ob.r.unaryExpr(gr).mean() : gr.at_zero()) / M;
            c.var_h[s] += ((ob.h.array() - mh).square().mean()) / M;
            for (int k = 0; k < K; ++k) {
                const int col = M + m * K + k;
                const Eigen::VectorXd d = linear ? Eigen::VectorXd(X.col(col).head(n))
                                                 : Eigen::VectorXd((X.col(col).head(n) - X.col(m).head(n)) / eps);
                const double mk = V[m].col(k).dot(d) / NN;
                single[m * K + k] = mk;
                out.m_trajectory[m][s] += mk / K;
                norm2 += d.squaredNorm() / NN;
                if (s == 0) out.m0_max_dev = std::max(out.m0_max_dev, std::abs(mk - sz0[m] / p.tau_h));
            }
        }
        const MeanErr e = mean_err(single);
        c.m[s] = e.mean;
        res.m_dir_stderr[s] = e.stderr_;
        c.tangent_norm[s] = std::sqrt(norm2 / (M * K));
    }
    progress.finish();
    for (double v : sz0) out.mean_sigma_z0 += v / M;
    out.steps = integ.steps();
    out.state_dim = net.dim();
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return res;
}

}  // namespace

PulseResult pulse_response(const ModelParams& p, const PulseOptions& o) {
    p.validate();
    o.validate();
    if (o.drive.amp_z != 0 && p.alpha_z == 0)
        throw BadInput("drive_amp_z", "drives the update gate, which is constant when alpha_z = 0");
    if (o.drive.amp_r != 0 && p.alpha_r == 0)
        throw BadInput("drive_amp_r", "drives the output gate, which is constant when alpha_r = 0");
    const auto wall0 = std::chrono::steady_clock::now();
    PulseResult r;
    std::vector<std::vector<double>> dir_stderr;
    for (int k = 0; k < o.realizations; ++k) {
        const std::string label = "memory: realization " + std::to_string(k + 1) + "/" + std::to_string(o.realizations);
        Realization one = run_one(p, o, derive_seed(o.seed, static_cast<std::uint64_t>(k)), label);
        r.runs.push_back(std::move(one.out));
        dir_stderr.push_back(std::move(one.m_dir_stderr));
    }
    r.sample_dt = steps_per_sample(o) * o.dt;
    const std::size_t S = n_samples(o, r.sample_dt);
    for (std::size_t s = 0; s < S; ++s) {
        const double t = static_cast<double>(s) * r.sample_dt;
        r.t.push_back(t);
        r.b_z.push_back(o.drive.b_z(t));
        r.b_r.push_back(o.drive.b_r(t));
    }
    const double R = static_cast<double>(r.runs.size());
    for (auto member : {&PulseCurves::m, &PulseCurves::sigma_z, &PulseCurves::sigma_r, &PulseCurves::var_h,
                        &PulseCurves::tangent_norm}) {
        std::vector<double> mean(S, 0.0);
        for (const auto& run : r.runs)
            for (std::size_t s = 0; s < S; ++s) mean[s] += (run.curves.*member)[s] / R;
        r.mean.*member = mean;
    }
    r.m_stderr.assign(S, 0.0);
    if (o.realizations >= 2 || o.trajectories >= 2) {
        r.stderr_over = o.realizations >= 2 ? "realizations" : "trajectories";
        for (std::size_t s = 0; s < S; ++s) {
            std::vector<double> v;
            if (o.realizations >= 2)
                for (const auto& run : r.runs) v.push_back(run.curves.m[s]);
            else
                for (const auto& traj : r.runs[0].m_trajectory) v.push_back(traj[s]);
            r.m_stderr[s] = mean_err(v).stderr_;
        }
    } else {
        r.stderr_over = "directions";  // one trajectory of one network: directions share it (a lower bound)
        r.m_stderr = dir_stderr[0];
    }
    const double pulses = R * o.trajectories * o.directions;
    for (double tn : r.mean.tangent_norm) r.noise_floor.push_back(tn / std::sqrt(static_cast<double>(o.N) * pulses));
    for (const auto& run : r.runs) r.mean_sigma_z0 += run.mean_sigma_z0 / R;
    r.state_dim = r.runs[0].state_dim;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return r;
}

}  // namespace gdmft::sim
