#pragma once
// JSON and CSV of the annealed complexity (INTERFACE.md `gdmft complexity`): Sigma, second_moment,
// unstable_fraction (null when not computed) and the variational parameters; with a scan, the rows and
// the onset (null when none in the range).
#include "dmft/complexity.hpp"
#include "dmft/complexity_scan.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

nlohmann::json to_json(const ComplexityResult& r);
nlohmann::json to_json(const ComplexityScan& s);

// Columns of complexity.csv: the scanned parameter, g_eff, Sigma, second_moment, unstable_fraction, q, t,
// m, converged, then the gated saddle (NaN in the SCS limit): branch_value (S* of the nontrivial branch, may be
// negative), q_v, p, p_prime, m1, m2 (a single point without a scan is one row).
std::vector<std::string> complexity_columns(const std::string& parameter);
std::vector<std::vector<double>> complexity_table(const std::vector<double>& values,
                                                  const std::vector<ComplexityResult>& results);

}  // namespace gdmft::io
