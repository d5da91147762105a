#pragma once
// JSON and CSV of the adjoint (gradient) DMFT (INTERFACE.md `gdmft gradient`): growth_rate, the
// parameter-gradient sizes grad_norm_Jh/Jz/Jr at the horizon, the profile table gradient.csv
// (t_before_horizon,a_h2,a_z2,a_r2, then ln_a_h2 and its error) and the norms against the horizon.
// A non-finite adjoint is reported by `finite: false` and `nonfinite_at`; its numbers are null, never
// printed as values. a_h2 beyond the double range is written from its logarithm ("3.1e+412").
#include "dmft/adjoint.hpp"
#include "validation/backprop.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

nlohmann::json to_json(const AdjointResult& r);

// gradient.csv: columns and rows (strings: empty cells for a gate without adjoint state).
std::vector<std::string> gradient_profile_columns();
std::vector<std::vector<std::string>> gradient_profile_rows(const AdjointResult& r);

// gradient_norms.csv: horizon, grad_norm_Jh, grad_norm_Jz, grad_norm_Jr and their errors.
std::vector<std::string> gradient_norm_columns();
std::vector<std::vector<double>> gradient_norm_table(const AdjointResult& r);

// Finite-N backpropagation (validation/backprop.hpp) beside the DMFT: the "simulation" object (sizes,
// growth rate fitted on [t_from, t_to], gradient sizes with their errors; null where not a finite double)
// and gradient_finite_n.csv in the columns of gradient.csv.
nlohmann::json to_json(const sim::BackpropResult& r, const sim::BackpropOptions& o, const sim::GrowthFit& g);
std::vector<std::vector<std::string>> gradient_profile_rows(const sim::BackpropResult& r);

}  // namespace gdmft::io
