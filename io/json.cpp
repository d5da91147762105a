#include "io/json.hpp"

#include "validation/kaplan_yorke.hpp"

#include <algorithm>
#include <cmath>

namespace gdmft::io {

using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json to_json(const ModelParams& m) {
    json j = json::object();
    for (const auto& [k, v] : m.numeric_fields()) j[k] = v;
    j["phi"] = to_string(m.phi);
    return j;
}

json to_json(const TailForm& t) {
    json j;
    j["form"] = t.form;
    j["decayed"] = t.decayed;
    j["tau_corr_lower_bound"] = num(t.tau_corr_lower_bound);
    j["fit_from"] = num(t.fit_from);
    j["fit_to"] = num(t.fit_to);
    j["fit_points"] = t.fit_points;
    j["exp_time"] = num(t.exp_time);
    j["exp_time_err"] = num(t.exp_time_err);
    j["power_exponent"] = num(t.power_exponent);
    j["power_exponent_err"] = num(t.power_exponent_err);
    j["chi2_exp"] = num(t.chi2_exp);
    j["chi2_power"] = num(t.chi2_power);
    j["drift_sigmas"] = num(t.drift_sigmas);
    j["drift_ratio"] = num(t.drift_ratio);
    j["level_at_end"] = num(t.level_at_end);
    j["errors_from"] = t.errors_from.empty() ? json(nullptr) : json(t.errors_from);
    j["evidence"] = t.evidence;
    return j;
}

json to_json(const StationaryResult& r) {
    json j;
    j["converged"] = r.converged;
    j["method"] = r.method;
    j["C_h0"] = num(r.C_h0);
    j["C_phi0"] = num(r.C_phi0);
    j["C_r0"] = num(r.C_r0);
    j["C_z0"] = num(r.C_z0);
    j["tau_corr"] = num(r.tau_corr);
    j["tau_response"] = num(r.tau_response);
    j["mean_sigma_z"] = num(r.mean_sigma_z);
    j["lambda_max"] = num(r.lambda_max);
    j["lambda_max_err"] = num(r.lambda_max_err);
    j["lambda_method"] = r.lambda_method.empty() ? json(nullptr) : json(r.lambda_method);
    j["stat_err"] = num(r.stat_err);
    j["iterations"] = r.iterations;
    j["termination"] = to_string(r.termination);
    j["message"] = r.message;
    j["residual"] = num(r.residual);
    j["residual_target"] = num(r.residual_target);
    j["zero_mode_eigenvalue"] = num(r.zero_mode_eigenvalue);
    j["mean_h"] = num(r.mean_h);
    j["q_h"] = num(r.q_h);
    j["q_phi"] = num(r.q_phi);
    j["lags"] = r.tau.size();
    j["window"] = r.tau.empty() ? json(nullptr) : num(r.tau.back());
    j["coexists_with_stable_fixed_point"] = r.coexists_with_stable_fixed_point;
    j["stable_fixed_point_Delta_h"] = num(r.stable_fixed_point_Delta_h);
    if (r.method == "sampled") {
        j["clipped_weight"] = num(r.clipped_weight);
        j["set_C_h0"] = json::array();
        for (double v : r.set_C_h0) j["set_C_h0"].push_back(num(v));
    }
    j["tail"] = to_json(r.tail);
    return j;
}

json to_json(const FixedPointBranch& b) {
    return {{"Delta_h", num(b.Delta_h)}, {"Delta_r", num(b.Delta_r)}, {"Delta_z", num(b.Delta_z)}, {"G", num(b.G)},
            {"stable", b.stable}};
}

json to_json(const sim::SimulationResult& r) {
    json j;
    j["C_h0"] = num(r.C_h0.mean);
    j["C_phi0"] = num(r.C_phi0.mean);
    j["C_r0"] = num(r.C_r0.mean);
    j["C_z0"] = num(r.C_z0.mean);
    j["tau_corr"] = num(r.tau_corr);
    j["mean_sigma_z"] = num(r.mean_sigma_z.mean);
    j["C_inf_h"] = num(r.C_inf_h.mean);
    j["participation_ratio"] = num(r.participation_ratio.mean);
    const bool lyap = !r.lyapunov.empty();
    j["lambda_max"] = lyap ? num(r.lyapunov[0]) : json(nullptr);
    j["stderr_lambda_max"] = lyap ? num(r.lyapunov_stderr[0]) : json(nullptr);
    j["lyapunov_spectrum"] = json::array();
    j["lyapunov_stderr"] = json::array();
    for (std::size_t k = 0; k < r.lyapunov.size(); ++k) {
        j["lyapunov_spectrum"].push_back(num(r.lyapunov[k]));
        j["lyapunov_stderr"].push_back(num(r.lyapunov_stderr[k]));
    }
    const sim::KaplanYorke ky = sim::kaplan_yorke(r);
    j["kaplan_yorke_dim"] = lyap ? num(ky.value) : json(nullptr);
    j["stderr_kaplan_yorke_dim"] = lyap ? num(ky.stderr_) : json(nullptr);
    j["kaplan_yorke_exceeds_k"] = lyap ? json(ky.exceeds_k) : json(nullptr);
    if (lyap) j["lyapunov_stderr_from"] = r.runs.size() > 1 ? "realizations" : "time blocks";
    // Standard errors over realizations (0 with a single realization).
    j["stderr_C_h0"] = num(r.C_h0.stderr_);
    j["stderr_C_phi0"] = num(r.C_phi0.stderr_);
    j["stderr_C_r0"] = num(r.C_r0.stderr_);
    j["stderr_C_z0"] = num(r.C_z0.stderr_);
    j["stderr_tau_corr"] = num(r.tau_corr_runs.stderr_);
    j["stderr_mean_sigma_z"] = num(r.mean_sigma_z.stderr_);
    j["stderr_participation_ratio"] = num(r.participation_ratio.stderr_);
    j["realizations"] = r.runs.size();
    j["per_realization"] = json::array();
    for (std::size_t i = 0; i < r.runs.size(); ++i) {
        const auto& run = r.runs[i];
        json e;
        e["seed"] = run.seed;
        e["C_h0"] = num(run.m.C_h0);
        e["C_phi0"] = num(run.m.C_phi0);
        e["tau_corr"] = num(run.tau_corr);
        e["mean_sigma_z"] = num(run.m.mean_sigma_z);
        e["participation_ratio"] = num(run.m.participation_ratio);
        e["lambda_max"] = lyap ? num(run.lyapunov.exponents[0]) : json(nullptr);
        e["stderr_lambda_max"] = lyap ? num(run.lyapunov.stderr_[0]) : json(nullptr);  // over time blocks
        e["kaplan_yorke_dim"] = lyap ? num(ky.per_realization[i]) : json(nullptr);
        e["stderr_kaplan_yorke_dim"] = lyap ? num(ky.per_realization_stderr[i]) : json(nullptr);  // blocks
        e["steps"] = run.steps;
        e["seconds"] = run.seconds;
        j["per_realization"].push_back(e);
    }
    j["units_recorded"] = r.units_recorded;
    j["state_dim"] = r.state_dim;
    j["n_samples"] = r.n_samples;
    j["max_lag"] = r.max_lag;
    j["seconds"] = r.seconds;
    j["tail"] = to_json(r.tail);
    return j;
}

json to_json(const sim::PulseResult& r, const sim::ResponseComparison& c, const StationaryResult* dmft,
             std::size_t k) {
    json j;
    j["tau_response_sim"] = num(c.tau_sim);
    j["tau_response_dmft"] = num(c.tau_dmft);
    j["m0"] = num(r.mean.m[0]);
    j["R0_dmft"] = c.done && !c.R.empty() ? num(c.R[0]) : json(nullptr);
    j["rel_l2_diff"] = num(c.rel_l2);
    j["compare_until"] = c.n >= 2 ? num(r.t[c.n - 1]) : json(nullptr);
    double dev = 0;
    for (const auto& run : r.runs) dev = std::max(dev, run.m0_max_dev);
    j["m0_max_dev"] = num(dev);  // largest |m_k(0) - <sigma_z(0)>/tau_h| over single directions
    j["readout_t"] = num(r.t[k]);
    j["m_readout"] = num(r.mean.m[k]);
    j["m_readout_stderr"] = num(r.m_stderr[k]);
    j["R_readout_dmft"] = c.done && k < c.R.size() ? num(c.R[k]) : json(nullptr);
    j["m_horizon"] = num(r.mean.m.back());
    j["m_horizon_stderr"] = num(r.m_stderr.back());
    j["stderr_over"] = r.stderr_over;
    j["t_noise"] = num(c.t_noise);
    j["noise_floor_readout"] = num(r.noise_floor[k]);
    j["mean_sigma_z0"] = num(r.mean_sigma_z0);
    if (dmft != nullptr) {
        json d;
        d["method"] = dmft->method;
        d["converged"] = dmft->converged;
        d["C_h0"] = num(dmft->C_h0);
        d["stat_err"] = num(dmft->stat_err);
        d["mean_sigma_z"] = num(dmft->mean_sigma_z);
        d["tau_response_window"] = num(dmft->tau_response);  // over the DMFT's own lag window
        d["window"] = dmft->tau.empty() ? json(nullptr) : num(dmft->tau.back());
        d["message"] = dmft->message;
        j["dmft"] = d;
    } else {
        j["dmft"] = nullptr;
    }
    j["per_realization"] = json::array();
    for (const auto& run : r.runs) {
        json e;
        e["seed"] = run.seed;
        e["tau_response"] = num(sim::mean_time(r.t, run.curves.m));
        e["m0"] = num(run.curves.m[0]);
        e["mean_sigma_z0"] = num(run.mean_sigma_z0);
        e["steps"] = run.steps;
        e["seconds"] = run.seconds;
        j["per_realization"].push_back(e);
    }
    j["state_dim"] = r.state_dim;
    j["n_samples"] = r.t.size();
    j["seconds"] = r.seconds;
    return j;
}

}  // namespace gdmft::io

namespace gdmft::io {

nlohmann::json to_json(const sim::FateSummary& r) {
    nlohmann::json j;
    j["trajectories"] = r.total;
    j["settled"] = r.settled;
    j["fraction_settled"] = r.fraction_settled;
    j["fraction_settled_err"] = r.fraction_err;
    j["lifetime"] = num(r.lifetime);
    j["lifetime_err"] = num(r.lifetime_err);
    j["lifetime_lower_bound"] = r.settled > 0 ? nlohmann::json(nullptr) : nlohmann::json(r.lifetime_lower_bound);
    j["median_settle"] = num(r.median_settle);
    j["fates"] = nlohmann::json::array();
    for (const auto& f : r.fates)
        j["fates"].push_back({{"network", f.network}, {"trajectory", f.trajectory}, {"network_seed", f.network_seed},
                              {"settled", f.settled}, {"t_settle", num(f.t_settle)}, {"final_q", num(f.final_q)},
                              {"final_speed", num(f.final_speed)}});
    return j;
}

}  // namespace gdmft::io
