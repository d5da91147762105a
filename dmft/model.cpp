#include "dmft/model.hpp"

#include "numerics/errors.hpp"

#include <cmath>

namespace gdmft {

std::vector<std::pair<std::string, double>> ModelParams::numeric_fields() const {
    return {{"g_h", g_h},         {"g_z", g_z},         {"g_r", g_r},
            {"alpha_z", alpha_z}, {"beta_z", beta_z},   {"alpha_r", alpha_r},
            {"beta_r", beta_r},   {"tau_h", tau_h},     {"tau_z", tau_z},
            {"tau_r", tau_r},     {"input_mean", input_mean}, {"input_std", input_std}};
}

double* ModelParams::field(const std::string& key) {
    if (key == "g_h") return &g_h;
    if (key == "g_z") return &g_z;
    if (key == "g_r") return &g_r;
    if (key == "alpha_z") return &alpha_z;
    if (key == "beta_z") return &beta_z;
    if (key == "alpha_r") return &alpha_r;
    if (key == "beta_r") return &beta_r;
    if (key == "tau_h") return &tau_h;
    if (key == "tau_z") return &tau_z;
    if (key == "tau_r") return &tau_r;
    if (key == "input_mean") return &input_mean;
    if (key == "input_std") return &input_std;
    return nullptr;
}

void ModelParams::validate() const {
    for (const auto& [name, v] : numeric_fields())
        if (!std::isfinite(v)) throw BadInput(name, "must be a finite number");
    for (const auto& [name, v] : {std::pair{"g_h", g_h}, {"g_z", g_z}, {"g_r", g_r}})
        if (v < 0) throw BadInput(name, "coupling strength must be >= 0");
    for (const auto& [name, v] : {std::pair{"tau_h", tau_h}, {"tau_z", tau_z}, {"tau_r", tau_r}})
        if (v < 0) throw BadInput(name, "time constant must be >= 0");
    if (tau_h == 0) throw BadInput("tau_h", "must be > 0 (only gates can be instantaneous)");
    if (input_std < 0) throw BadInput("input_std", "must be >= 0");
}

PhiKind parse_phi(const std::string& s) {
    if (s == "tanh") return PhiKind::Tanh;
    if (s == "erf") return PhiKind::Erf;
    throw BadInput("phi", "must be 'tanh' or 'erf', got '" + s + "'");
}

}  // namespace gdmft
