// JSON and CSV of the annealed complexity (see the header).
#include "io/complexity_io.hpp"

#include "io/json.hpp"

#include <cmath>
#include <limits>

namespace gdmft::io {

nlohmann::json to_json(const ComplexityResult& r) {
    nlohmann::json j;
    j["g_eff"] = num(r.g_eff);
    j["Sigma"] = num(r.Sigma);
    j["second_moment"] = num(r.second_moment);
    j["unstable_fraction"] = r.unstable_fraction ? num(*r.unstable_fraction) : nlohmann::json(nullptr);
    j["trivial"] = r.trivial;
    j["q"] = num(r.q);
    j["t"] = num(r.t);
    j["m"] = num(r.m);
    j["mean_phi2"] = num(r.mean_phi2);
    j["mean_r2"] = r.gated ? num(r.mean_r2) : nlohmann::json(nullptr);
    j["branch_value"] = r.branch_value ? num(*r.branch_value) : nlohmann::json(nullptr);
    const char* keys[] = {"q_v", "p", "p_prime", "m1", "m2"};
    for (const char* k : keys) j[k] = nullptr;
    if (r.gated) {
        j["q_v"] = num(r.gated->q_v);
        j["p"] = num(r.gated->p);
        j["p_prime"] = num(r.gated->pp);
        j["m1"] = num(r.gated->m1);
        j["m2"] = num(r.gated->m2);
        j["t"] = num(r.gated->t);
        j["q"] = num(r.gated->q);
    }
    j["converged"] = r.converged;
    j["message"] = r.message;
    return j;
}

nlohmann::json to_json(const ComplexityScan& s) {
    nlohmann::json j;
    j["scan"] = nlohmann::json::array();
    for (const auto& row : s.rows) {
        nlohmann::json r = to_json(row.result);
        r["value"] = num(row.value);
        r[s.axis.name] = num(row.value);
        j["scan"].push_back(r);
    }
    j["onset"] = s.onset ? num(*s.onset) : nlohmann::json(nullptr);
    j["onset_message"] = s.onset_message;
    j["onset_discontinuous"] = s.onset_discontinuous;
    j["onset_q"] = s.onset_q ? num(*s.onset_q) : nlohmann::json(nullptr);
    j["branch_end"] = s.branch_end ? num(*s.branch_end) : nlohmann::json(nullptr);
    j["branch_end_reason"] = s.branch_end_reason;
    j["converged"] = s.converged;
    j["seconds"] = s.seconds;
    return j;
}

std::vector<std::string> complexity_columns(const std::string& parameter) {
    return {parameter, "g_eff", "Sigma", "second_moment", "unstable_fraction", "q", "t", "m", "converged",
            "branch_value", "q_v", "p", "p_prime", "m1", "m2"};
}

std::vector<std::vector<double>> complexity_table(const std::vector<double>& values,
                                                  const std::vector<ComplexityResult>& results) {
    constexpr int ncol = 15;
    std::vector<std::vector<double>> cols(ncol);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        const GatedSaddle g = r.gated.value_or(GatedSaddle{nan, nan, nan, nan, nan, nan, nan});
        const double row[ncol] = {values[i], r.g_eff, r.Sigma, r.second_moment, r.unstable_fraction.value_or(nan),
                                  r.gated ? g.q : r.q, r.gated ? g.t : r.t, r.m, r.converged ? 1.0 : 0.0,
                                  r.branch_value.value_or(nan), g.q_v, g.p, g.pp, g.m1, g.m2};
        for (int c = 0; c < ncol; ++c) cols[c].push_back(row[c]);
    }
    return cols;
}

}  // namespace gdmft::io
