#pragma once
// The transitions and boundary results as JSON and CSV (app/cmd_transitions.cpp, app/cmd_boundary.cpp).
#include "dmft/boundary.hpp"
#include "dmft/transitions.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

// INTERFACE.md keys (g_zero_unstable, g_fp, g_chaos, discontinuous, scan) whatever the scanned
// parameter, plus the fold details (D_fold, fold residuals, jumps) and messages. Non-finite numbers null.
nlohmann::json to_json(const TransitionsResult& r);
// The scan table (numeric columns; booleans 0/1) and its column names.
std::vector<std::string> scan_columns(const std::string& name);
std::vector<std::vector<double>> scan_table(const TransitionsResult& r);

// The thresholds as a table for papers: Markdown (transitions.md) and booktabs LaTeX (transitions.tex).
// The values are deterministic (no statistical error); they are printed to their located accuracy,
// 7 significant digits. A threshold outside the range reads "none in range".
std::string transitions_markdown(const TransitionsResult& r);
std::string transitions_latex(const TransitionsResult& r);

// The traced curves as lists of {x, y} per line, and the thresholds.
nlohmann::json to_json(const BoundaryResult& r);
// boundary.csv: the '# key: value' header (meta, x_name, y_name), columns x,y,line (line a string:
// zero_unstable, fixed_point_fold, chaos_onset); points where a line does not exist are left out.
std::string boundary_csv_text(const nlohmann::json& meta, const BoundaryResult& r);

}  // namespace gdmft::io
