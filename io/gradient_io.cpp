// JSON and CSV of the adjoint DMFT (see the header).
#include "io/gradient_io.hpp"

#include "io/json.hpp"
#include "io/text_csv.hpp"

#include <cmath>

namespace gdmft::io {

namespace {

nlohmann::json last_or_null(const std::vector<double>& v, bool ok) {
    return ok && !v.empty() ? num(v.back()) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const AdjointResult& r) {
    nlohmann::json j;
    j["method"] = r.method;
    j["state"] = r.state;
    j["finite"] = r.finite;
    j["nonfinite_at"] = r.finite ? nlohmann::json(nullptr) : num(r.nonfinite_at);
    j["growth_rate"] = r.finite ? num(r.growth_rate) : nlohmann::json(nullptr);
    j["growth_rate_err"] = r.finite ? num(r.growth_rate_err) : nlohmann::json(nullptr);
    j["growth_prefactor_power"] = r.finite ? num(r.growth_prefactor_power) : nlohmann::json(nullptr);
    j["reference_growth"] = num(r.reference_growth);
    j["reference_source"] = r.reference_source;
    j["horizon"] = r.norm_horizons.empty() ? nlohmann::json(nullptr) : num(r.norm_horizons.back());
    j["grad_norm_Jh"] = last_or_null(r.grad_norm_Jh, r.finite);
    j["grad_norm_Jz"] = last_or_null(r.grad_norm_Jz, r.finite);
    j["grad_norm_Jr"] = last_or_null(r.grad_norm_Jr, r.finite);
    j["grad_norm_Jh_err"] = last_or_null(r.grad_norm_Jh_err, r.finite);
    j["grad_norm_Jz_err"] = last_or_null(r.grad_norm_Jz_err, r.finite);
    j["grad_norm_Jr_err"] = last_or_null(r.grad_norm_Jr_err, r.finite);
    j["a_h2_at_horizon"] = r.log_a_h2.empty() ? nlohmann::json(nullptr) : nlohmann::json(format_log_value(r.log_a_h2.back()));
    j["grid_points"] = r.grid_points;
    j["seconds"] = num(r.seconds);
    j["message"] = r.message;
    return j;
}

std::vector<std::string> gradient_profile_columns() {
    return {"t_before_horizon", "a_h2", "a_z2", "a_r2", "ln_a_h2", "ln_a_h2_err", "a_z2_err", "a_r2_err"};
}

std::vector<std::vector<std::string>> gradient_profile_rows(const AdjointResult& r) {
    std::vector<std::vector<std::string>> rows;
    auto opt = [](const std::vector<double>& v, std::size_t i) { return i < v.size() ? cell(v[i]) : std::string(); };
    for (std::size_t i = 0; i < r.t_before_horizon.size(); ++i) {
        rows.push_back({cell(r.t_before_horizon[i]), format_log_value(r.log_a_h2[i], 10), opt(r.a_z2, i), opt(r.a_r2, i),
                        cell(r.log_a_h2[i]), opt(r.log_a_h2_err, i), opt(r.a_z2_err, i), opt(r.a_r2_err, i)});
    }
    return rows;
}

std::vector<std::string> gradient_norm_columns() {
    return {"horizon", "grad_norm_Jh", "grad_norm_Jz", "grad_norm_Jr", "grad_norm_Jh_err", "grad_norm_Jz_err",
            "grad_norm_Jr_err"};
}

std::vector<std::vector<double>> gradient_norm_table(const AdjointResult& r) {
    const std::size_t n = r.norm_horizons.size();
    auto col = [n](const std::vector<double>& v) {
        std::vector<double> c(v);
        c.resize(n, std::numeric_limits<double>::quiet_NaN());
        return c;
    };
    return {r.norm_horizons, col(r.grad_norm_Jh), col(r.grad_norm_Jz), col(r.grad_norm_Jr), col(r.grad_norm_Jh_err),
            col(r.grad_norm_Jz_err), col(r.grad_norm_Jr_err)};
}

namespace {

nlohmann::json estimate(const sim::LogEstimate& e) {
    nlohmann::json j;
    const auto v = e.value();
    const auto s = e.stderr_();
    j["value"] = v ? num(*v) : nlohmann::json(nullptr);
    j["stderr"] = s ? num(*s) : nlohmann::json(nullptr);
    j["log"] = num(e.log_mean);
    return j;
}

}  // namespace

nlohmann::json to_json(const sim::BackpropResult& r, const sim::BackpropOptions& o, const sim::GrowthFit& g) {
    nlohmann::json j;
    j["N"] = o.N;
    j["networks"] = o.networks;
    j["readouts"] = o.readouts;
    j["burn_in"] = o.burn_in;
    j["dt"] = o.window.dt;
    j["stderr_over"] = r.stderr_over;
    j["growth_rate"] = num(g.rate);
    j["growth_rate_err"] = num(g.stderr_);
    j["grad_norm_Jh"] = estimate(r.grad_norm_Jh);
    j["grad_norm_Jz"] = r.grad_norm_Jz ? estimate(*r.grad_norm_Jz) : nlohmann::json(nullptr);
    j["grad_norm_Jr"] = r.grad_norm_Jr ? estimate(*r.grad_norm_Jr) : nlohmann::json(nullptr);
    j["nonfinite_at"] = r.nonfinite_t_before_horizon ? num(*r.nonfinite_t_before_horizon) : nlohmann::json(nullptr);
    j["memory_bytes"] = num(r.plan.total_bytes);
    j["seconds"] = num(r.seconds);
    return j;
}

std::vector<std::vector<std::string>> gradient_profile_rows(const sim::BackpropResult& r) {
    std::vector<std::vector<std::string>> rows;
    auto val = [](const std::optional<sim::LogEstimate>& e) {
        return e && e->value() ? cell(*e->value()) : std::string();
    };
    auto err = [](const std::optional<sim::LogEstimate>& e) {
        return e && e->stderr_() ? cell(*e->stderr_()) : std::string();
    };
    for (const auto& p : r.profile) {
        // ln a_h2 and its error: d ln = relative error.
        rows.push_back({cell(p.t_before_horizon), format_log_value(p.a_h2.log_mean, 10), val(p.a_z2), val(p.a_r2),
                        cell(p.a_h2.log_mean), cell(p.a_h2.rel_err), err(p.a_z2), err(p.a_r2)});
    }
    return rows;
}

}  // namespace gdmft::io
