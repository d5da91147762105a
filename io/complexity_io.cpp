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
    j["converged"] = s.converged;
    j["seconds"] = s.seconds;
    return j;
}

std::vector<std::string> complexity_columns(const std::string& parameter) {
    return {parameter, "g_eff", "Sigma", "second_moment", "unstable_fraction", "q", "t", "m", "converged"};
}

std::vector<std::vector<double>> complexity_table(const std::vector<double>& values,
                                                  const std::vector<ComplexityResult>& results) {
    std::vector<std::vector<double>> cols(9);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        const double row[] = {values[i], r.g_eff, r.Sigma, r.second_moment, r.unstable_fraction.value_or(nan), r.q, r.t, r.m,
                              r.converged ? 1.0 : 0.0};
        for (int c = 0; c < 9; ++c) cols[c].push_back(row[c]);
    }
    return cols;
}

}  // namespace gdmft::io
