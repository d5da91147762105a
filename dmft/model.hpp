#pragma once
// The gated network of THEORY.md section 1: parameters, their rules, and the derived gates.
#include "numerics/nonlinearity.hpp"

#include <string>
#include <vector>
#include <utility>

namespace gdmft {

struct ModelParams {
    double g_h = 3.0, g_z = 1.0, g_r = 1.0;
    double alpha_z = 0.0, beta_z = 0.0;
    double alpha_r = 0.0, beta_r = 0.0;
    double tau_h = 1.0, tau_z = 1.0, tau_r = 1.0;  // tau_z, tau_r = 0: instantaneous gate
    double input_mean = 0.0, input_std = 0.0;       // I_i = mu + s xi_i
    PhiKind phi = PhiKind::Tanh;

    // Throws BadInput naming the key (underscore form, as in the config file) and the rule.
    void validate() const;

    Phi phi_fn() const { return Phi{phi}; }
    Gate gate_z() const { return Gate{alpha_z, beta_z}; }
    Gate gate_r() const { return Gate{alpha_r, beta_r}; }

    // SCS-limit quantities (exact when alpha_z = alpha_r = 0).
    double g_eff() const { return g_h * gate_r().at_zero(); }
    double tau_eff() const { return tau_h / gate_z().at_zero(); }
    // The clock sigma_z(z) is the constant sigma_z(0) (no gate sensitivity, or z = 0 without coupling).
    bool clock_constant() const { return alpha_z == 0 || g_z == 0; }

    // Name/value pairs of every real parameter, in the order of INTERFACE.md (for headers and JSON).
    std::vector<std::pair<std::string, double>> numeric_fields() const;
    // Pointer access by key name (underscore form); nullptr if the name is unknown.
    double* field(const std::string& key);
};

PhiKind parse_phi(const std::string& s);  // throws BadInput("phi", ...)

}  // namespace gdmft
