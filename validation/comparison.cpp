#include "validation/comparison.hpp"

#include "dmft/solve.hpp"
#include "numerics/errors.hpp"
#include "numerics/interpolate.hpp"
#include "numerics/progress.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gdmft::sim {

std::vector<ValidationPoint> default_validation_points() {
    std::vector<ValidationPoint> pts;
    ModelParams scs;  // defaults: g_h = 3, sigma_r(0) = sigma_z(0) = 1/2: g_eff = 1.5, tau_eff = 2
    pts.push_back({"scs", "SCS limit: g_h=3 (g_eff=1.5), alpha_z=alpha_r=0", scs});

    ModelParams out = scs;  // THEORY.md section 8 reference point (C_h(0) = 1.198)
    out.alpha_r = 4;
    out.tau_r = 0;
    pts.push_back({"output_gated", "output gate: g_h=3, alpha_r=4, tau_r=0", out});

    // The update gate slows the dynamics enormously: at alpha_z = 5 the DMFT correlation time is ~200
    // tau_h (finite N: 160-230 at N = 1000), so the DMFT needs a fixed window of 1000 on a step of 0.2
    // (the automatic window chases the noisy tail of a few hundred paths and gives up).
    ModelParams z5 = scs;
    z5.alpha_z = 5;
    pts.push_back({"timescale_gated_5", "update gate: g_h=3, alpha_z=5, tau_z=1", z5, StationaryGrid{0.2, 1000.0}});

    ModelParams z15 = scs;
    z15.alpha_z = 15;
    pts.push_back({"timescale_gated_15", "update gate: g_h=3, alpha_z=15, tau_z=1", z15, StationaryGrid{0.5, 4000.0}});

    ModelParams in = scs;
    in.alpha_r = 2;
    in.input_mean = 0.3;
    in.input_std = 0.5;
    pts.push_back({"input", "with input: g_h=3, alpha_r=2, mu=0.3, s=0.5", in});
    return pts;
}

void ValidationSettings::validate() const {
    if (sizes.empty()) throw BadInput("sizes", "needs at least one network size");
    for (auto n : sizes)
        if (n < 2) throw BadInput("sizes", "every size must be >= 2");
    if (realizations < 2) throw BadInput("realizations", "must be >= 2 (standard errors need two)");
    if (!(std::isfinite(t_max) && std::isfinite(t_burn) && std::isfinite(dt)))
        throw BadInput("t_max", "t_max, t_burn and dt must be finite");
    if (dt <= 0) throw BadInput("dt", "must be > 0");
    if (t_burn < 0 || t_burn >= t_max) throw BadInput("t_burn", "must satisfy 0 <= t_burn < t_max");
    if (!(corr_times > 0)) throw BadInput("corr_times", "must be > 0");
    if (!(burn_corr_times >= 0)) throw BadInput("burn_corr_times", "must be >= 0");
    if (!(t_cap >= t_max)) throw BadInput("t_cap", "must be >= t_max");
    dmft.validate();
}

namespace {

ComparisonRow make_row(const std::string& point, const std::string& quantity, std::size_t N, double dmft,
                       const std::vector<double>& values) {
    ComparisonRow r;
    r.point = point;
    r.quantity = quantity;
    r.N = N;
    r.realizations = static_cast<int>(values.size());
    r.dmft = dmft;
    r.sim = mean_err(values);
    r.rel_diff = (r.sim.mean - dmft) / dmft;
    r.z_score = r.sim.stderr_ > 0 ? (r.sim.mean - dmft) / r.sim.stderr_ : NAN;
    return r;
}

}  // namespace

ValidationResult run_validation(const std::vector<ValidationPoint>& points, const ValidationSettings& s,
                                const std::function<void(const ValidationResult&)>& on_point) {
    s.validate();
    ValidationResult out;
    for (std::size_t ip = 0; ip < points.size(); ++ip) {
        const auto& pt = points[ip];
        pt.model.validate();
        log_line(s.observer, "validate: point " + std::to_string(ip + 1) + "/" + std::to_string(points.size()) + " '" +
                 pt.name + "': " + pt.description);
        PointComparison pc;
        pc.point = pt;
        StationaryOptions dmft = s.dmft;
        if (pt.dmft_grid && !s.dmft_grid_given) dmft.grid = *pt.dmft_grid;
        dmft.observer = s.observer;
        pc.theory = solve_stationary(pt.model, dmft);
        if (!pc.theory.converged)
            log_line(s.observer, "validate: warning: DMFT at '" + pt.name + "' did not converge (" + pc.theory.message + ")");

        // Run length from the theory's correlation time (slow points need long runs), within the cap.
        const double tc = std::isfinite(pc.theory.tau_corr) ? pc.theory.tau_corr : 0.0;
        pc.t_burn = std::min(std::max(s.t_burn, s.burn_corr_times * tc), 0.25 * s.t_cap);
        pc.t_max = std::min(std::max(s.t_max, pc.t_burn + s.corr_times * tc), s.t_cap);
        pc.max_lag = std::min(std::max(50 * pt.model.tau_h, 5 * tc), 0.5 * (pc.t_max - pc.t_burn));
        if (s.corr_times * tc > pc.t_max - pc.t_burn)
            log_line(s.observer, "validate: note: '" + pt.name + "' has DMFT tau_corr " + std::to_string(tc) +
                     "; the run is capped at t_max = " + std::to_string(pc.t_max) +
                     " (fewer correlation times than asked; expect larger scatter)");
        for (std::size_t N : s.sizes) {
            SimulationOptions so;
            so.N = N;
            so.seed = derive_seed(derive_seed(s.seed, ip), N);
            so.realizations = s.realizations;
            so.t_max = pc.t_max;
            so.t_burn = pc.t_burn;
            so.max_lag = pc.max_lag;
            so.integrator.dt = s.dt;
            so.single_precision = s.float32;
            so.observer = s.observer;
            const SimulationResult sr = simulate(pt.model, so);

            std::vector<double> c_h0, c_phi0, tc, sz;
            for (const auto& run : sr.runs) {
                c_h0.push_back(run.m.C_h0);
                c_phi0.push_back(run.m.C_phi0);
                tc.push_back(run.tau_corr);
                sz.push_back(run.m.mean_sigma_z);
            }
            out.rows.push_back(make_row(pt.name, "C_h0", N, pc.theory.C_h0, c_h0));
            out.rows.push_back(make_row(pt.name, "C_phi0", N, pc.theory.C_phi0, c_phi0));
            out.rows.push_back(make_row(pt.name, "tau_corr", N, pc.theory.tau_corr, tc));
            out.rows.push_back(make_row(pt.name, "mean_sigma_z", N, pc.theory.mean_sigma_z, sz));

            if (pc.tau.empty()) {
                pc.tau = sr.curves.tau;
                pc.C_h_dmft = interpolate(pc.theory.tau, pc.theory.C_h, pc.tau);
            }
            SizeCurves sc;
            sc.N = N;
            const std::size_t L = pc.tau.size();
            sc.C_h.assign(L, 0.0);
            sc.C_h_err.assign(L, 0.0);
            for (std::size_t k = 0; k < L; ++k) {
                std::vector<double> v;
                for (const auto& run : sr.runs)
                    if (k < run.m.curves.C_h.size()) v.push_back(run.m.curves.C_h[k]);
                const MeanErr me = mean_err(v);
                sc.C_h[k] = me.mean;
                sc.C_h_err[k] = me.stderr_;
            }
            pc.curves.push_back(std::move(sc));
        }
        out.points.push_back(std::move(pc));
        if (on_point) on_point(out);
    }
    return out;
}

}  // namespace gdmft::sim
