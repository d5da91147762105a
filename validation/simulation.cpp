#include "validation/simulation.hpp"

#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "numerics/tail_form.hpp"
#include "numerics/timescales.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

namespace gdmft::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t kStreamTangent = 6;  // under the network seed (see network.hpp's Stream)

void require_finite(const char* name, double v) {
    if (!std::isfinite(v)) throw BadInput(name, "must be a finite number");
}

std::size_t samples_after_burn(const SimulationOptions& o, double sdt) {
    return static_cast<std::size_t>(std::floor((o.t_max - o.t_burn) / sdt + 1e-9)) + 1;
}

std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

}  // namespace

void SimulationOptions::validate() const {
    if (N < 2) throw BadInput("N", "must be >= 2");
    if (realizations < 1) throw BadInput("realizations", "must be >= 1");
    if (trajectories < 1) throw BadInput("trajectories", "must be >= 1");
    require_finite("t_max", t_max);
    require_finite("t_burn", t_burn);
    require_finite("dt", integrator.dt);
    require_finite("sample_dt", sample_dt);
    require_finite("max_lag", max_lag);
    require_finite("record_mb", record_mb);
    require_finite("renorm_interval", renorm_interval);
    require_finite("abs_tol", integrator.abs_tol);
    require_finite("rel_tol", integrator.rel_tol);
    if (integrator.dt <= 0) throw BadInput("dt", "must be > 0");
    if (t_max <= 0) throw BadInput("t_max", "must be > 0");
    if (t_burn < 0) throw BadInput("t_burn", "must be >= 0");
    if (t_burn >= t_max) throw BadInput("t_burn", "must be < t_max (burn-in must end before the run does)");
    if (sample_dt <= 0) throw BadInput("sample_dt", "must be > 0");
    if (samples_after_burn(*this, effective_sample_dt(*this)) < 2)
        throw BadInput("t_max", "t_max - t_burn must span at least two samples (sample_dt = " +
                                    fmt(effective_sample_dt(*this)) + ")");
    if (record_mb <= 0) throw BadInput("record_mb", "must be > 0");
    if (hist_bins < 1) throw BadInput("hist_bins", "must be >= 1");
    if (integrator.abs_tol <= 0) throw BadInput("abs_tol", "must be > 0");
    if (integrator.rel_tol <= 0) throw BadInput("rel_tol", "must be > 0");
    if (lyapunov_k < 0) throw BadInput("lyapunov_k", "must be >= 1");
    if (lyapunov_k > 0) {
        if (renorm_interval <= 0) throw BadInput("renorm_interval", "must be > 0");
        if (lyapunov_blocks < 2) throw BadInput("lyapunov_blocks", "must be >= 2 (error bars need two blocks)");
    }
}

double effective_sample_dt(const SimulationOptions& o) {
    if (o.integrator.kind == IntegratorKind::Dopri5) return o.sample_dt;
    const double steps = std::max(1.0, std::round(o.sample_dt / o.integrator.dt));
    return steps * o.integrator.dt;
}

RealizationResult simulate_one(const ModelParams& p, const SimulationOptions& o, std::uint64_t seed,
                               const std::string& label) {
    const auto wall0 = std::chrono::steady_clock::now();
    RealizationResult res;
    res.seed = seed;
    Network net(p, {o.N, seed, o.single_precision, o.track_gates});
    const int M = o.trajectories, K = o.lyapunov_k;
    const Eigen::Index dim = static_cast<Eigen::Index>(net.dim());
    if (K > dim) throw BadInput("lyapunov_k", "must be <= the state dimension (" + std::to_string(dim) + ")");

    const double sdt = effective_sample_dt(o);
    const std::size_t n_samples = samples_after_burn(o, sdt);
    const double t_end = o.t_burn + static_cast<double>(n_samples - 1) * sdt;
    const int renorm_every = std::max(1, static_cast<int>(std::lround(o.renorm_interval / sdt)));

    Columns cols{M, 0};
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
    Eigen::MatrixXd X(dim, M);
    for (int m = 0; m < M; ++m) X.col(m) = net.initial_state(m);
    Integrator integ(o.integrator);
    Progress progress(o.observer, label, t_end);
    double t = 0;

    // The exact flow stays within max(initial size, network bound); twice that means a numerical blow-up.
    const double bound = 2.0 * std::max(X.cwiseAbs().maxCoeff(), net.state_bound()) + 1.0;
    auto advance_to = [&](double target) {
        integ.advance(f, X, t, target);
        const bool finite = X.allFinite();
        if (!finite || X.leftCols(M).cwiseAbs().maxCoeff() > bound) {
            std::ostringstream os;
            os << label << ": the state became " << (finite ? "larger than the bound of the exact dynamics" : "non-finite")
               << " by t = " << t << " (the run blew up; use a smaller --dt or --integrator dopri5)";
            throw NumericalFailure(os.str());
        }
        progress.update(t);
    };
    std::vector<LyapunovQR> lyap;
    double t_last_qr = 0;
    auto renormalize = [&]() {
        for (int m = 0; m < M; ++m)
            if (!lyap[static_cast<std::size_t>(m)].renormalize(X.middleCols(M + m * K, K), t_last_qr, t)) {
                std::ostringstream os;
                os << label << ": tangent vectors became non-finite or degenerate by t = " << t;
                throw NumericalFailure(os.str());
            }
        t_last_qr = t;
        integ.state_changed();
    };

    // Burn-in. Tangent vectors (if any) are attached half-way so that they align with the attractor.
    const double t_attach = K > 0 ? std::floor(0.5 * o.t_burn / sdt) * sdt : o.t_burn;
    while (t < t_attach) advance_to(std::min(t + sdt, t_attach));
    if (K > 0) {
        X.conservativeResize(dim, M * (1 + K));
        for (int m = 0; m < M; ++m) {
            X.middleCols(M + m * K, K) =
                random_orthonormal(dim, K, derive_seed(derive_seed(seed, kStreamTangent), static_cast<std::uint64_t>(m)));
            lyap.emplace_back(K, o.t_burn, t_end, o.lyapunov_blocks);
        }
        cols.K = K;
        integ.state_changed();
        t_last_qr = t;
        const double renorm_dt = renorm_every * sdt;
        while (t < o.t_burn) {
            advance_to(std::min(t + renorm_dt, o.t_burn));
            renormalize();
        }
    }

    // Measurement: samples at t_burn + s sdt; QR every renorm_every samples.
    const int n_vars = 1 + (net.z_simulated() ? 1 : 0) + (net.r_simulated() ? 1 : 0);
    const std::size_t n_rec = Recorder::units_for_budget(o.N, M, n_samples, n_vars, o.record_mb * 1048576.0);
    Recorder rec(p.phi_fn(), o.N, M, n_samples, n_rec, net.z_simulated(), net.r_simulated(), o.hist_bins);
    for (std::size_t s = 0; s < n_samples; ++s) {
        if (s > 0) advance_to(o.t_burn + static_cast<double>(s) * sdt);
        if (K > 0 && s > 0 && (s % static_cast<std::size_t>(renorm_every) == 0 || s + 1 == n_samples)) renormalize();
        for (int m = 0; m < M; ++m) rec.add(s, m, net.observe(X, m));
    }
    progress.finish();

    const double max_lag_time = o.max_lag >= 0 ? o.max_lag : std::min(50.0 * p.tau_h, 0.5 * (o.t_max - o.t_burn));
    const auto max_lag = static_cast<std::size_t>(std::floor(max_lag_time / sdt + 1e-9));
    res.m = rec.finish(max_lag, sdt);
    res.tau_corr = correlation_time(res.m.curves.tau, res.m.curves.C_h, res.m.C_inf_h);

    if (K > 0) {
        // Mean over trajectories, block by block.
        std::vector<LyapunovSpectrum> specs;
        for (const auto& l : lyap) specs.push_back(l.result());
        LyapunovSpectrum s = specs[0];
        for (std::size_t j = 1; j < specs.size(); ++j)
            for (int k = 0; k < K; ++k) {
                s.exponents[k] += specs[j].exponents[k];
                for (std::size_t b = 0; b < s.blocks.size(); ++b) s.blocks[b][k] += specs[j].blocks[b][k];
            }
        for (int k = 0; k < K; ++k) {
            s.exponents[k] /= M;
            std::vector<double> per_block;
            for (auto& row : s.blocks) per_block.push_back(row[k] /= M);
            s.stderr_[k] = per_block.size() > 1 ? mean_err(per_block).stderr_ : kNaN;
        }
        res.lyapunov = s;
        res.kaplan_yorke = kaplan_yorke_dimension(s.exponents);
    }
    res.units_recorded = n_rec;
    res.state_dim = net.dim();
    res.steps = integ.steps();
    res.rejected = integ.rejected();
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return res;
}

SimulationResult simulate(const ModelParams& p, const SimulationOptions& o) {
    p.validate();
    o.validate();
    const auto wall0 = std::chrono::steady_clock::now();
    SimulationResult r;
    for (int k = 0; k < o.realizations; ++k) {
        const std::string label = "simulate: realization " + std::to_string(k + 1) + "/" + std::to_string(o.realizations);
        r.runs.push_back(simulate_one(p, o, derive_seed(o.seed, static_cast<std::uint64_t>(k)), label));
    }
    auto collect = [&](auto get) {
        std::vector<double> v;
        for (const auto& run : r.runs) v.push_back(get(run));
        return mean_err(v);
    };
    r.C_h0 = collect([](const RealizationResult& x) { return x.m.C_h0; });
    r.C_phi0 = collect([](const RealizationResult& x) { return x.m.C_phi0; });
    r.C_r0 = collect([](const RealizationResult& x) { return x.m.C_r0; });
    r.C_z0 = collect([](const RealizationResult& x) { return x.m.C_z0; });
    r.C_inf_h = collect([](const RealizationResult& x) { return x.m.C_inf_h; });
    r.mean_sigma_z = collect([](const RealizationResult& x) { return x.m.mean_sigma_z; });
    r.participation_ratio = collect([](const RealizationResult& x) { return x.m.participation_ratio; });
    r.tau_corr_runs = collect([](const RealizationResult& x) { return x.tau_corr; });

    const double R = static_cast<double>(r.runs.size());
    const Curves& c0 = r.runs[0].m.curves;
    r.curves.tau = c0.tau;
    for (auto member : {&Curves::C_h, &Curves::C_phi, &Curves::C_r, &Curves::C_z}) {
        std::vector<double> mean(c0.tau.size(), 0.0);
        for (const auto& run : r.runs)
            for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += (run.m.curves.*member)[k] / R;
        r.curves.*member = mean;
    }
    r.tau_corr = correlation_time(r.curves.tau, r.curves.C_h, r.C_inf_h.mean);
    std::vector<double> D_err;  // standard error over realizations of C_h(tau) - C_inf_h, lag by lag
    if (r.runs.size() >= tail_min_realizations)
        for (std::size_t k = 0; k < c0.tau.size(); ++k) {
            std::vector<double> d;
            for (const auto& run : r.runs) d.push_back(run.m.curves.C_h[k] - run.m.C_inf_h);
            D_err.push_back(mean_err(d).stderr_);
        }
    try {
        r.tail = fit_tail_form(r.curves.tau, r.curves.C_h, r.C_inf_h.mean, D_err);
    } catch (const BadInput& e) {  // e.g. --max-lag 0: a single lag
        r.tail.evidence = std::string("no tail fit: ") + e.what();
    }

    const std::size_t bins = static_cast<std::size_t>(o.hist_bins);
    r.sigma_z_density.assign(bins, 0.0);
    for (std::size_t b = 0; b < bins; ++b) {
        r.sigma_z_centers.push_back((static_cast<double>(b) + 0.5) / static_cast<double>(bins));
        for (const auto& run : r.runs) r.sigma_z_density[b] += run.m.sigma_z_density[b] / R;
    }

    if (o.lyapunov_k > 0) {
        for (int k = 0; k < o.lyapunov_k; ++k) {
            const MeanErr e = collect([k](const RealizationResult& x) { return x.lyapunov.exponents[k]; });
            r.lyapunov.push_back(e.mean);
            r.lyapunov_stderr.push_back(r.runs.size() > 1 ? e.stderr_ : r.runs[0].lyapunov.stderr_[k]);
        }
        r.kaplan_yorke = kaplan_yorke_dimension(r.lyapunov);
    }
    const double sdt = effective_sample_dt(o);
    r.sample_dt = sdt;
    r.max_lag = r.curves.tau.empty() ? 0 : r.curves.tau.back();
    r.n_samples = samples_after_burn(o, sdt);
    r.units_recorded = r.runs[0].units_recorded;
    r.state_dim = r.runs[0].state_dim;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return r;
}

}  // namespace gdmft::sim
