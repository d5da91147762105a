#pragma once
// JSON and CSV of an ageing measurement (dmft/aging_curves.hpp), the same for finite networks
// (`simulate --waiting-times`) and the DMFT (`transient --start network --waiting-times`):
//  - aging.csv: t_w,tau,C_h,C_h_err,C_h_norm,C_h_norm_err,networks,N, one row per waiting time and lag
//    (N is inf for the DMFT, whose `networks` are its random sets of paths);
//  - aging_equal_time.csv: t,C_h_tt,C_h_tt_err,networks,N (the variance against the time since the start);
//  - the JSON `aging` block: the same curves by waiting time, and the t_w-dependence summary.
#include "dmft/aging_curves.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gdmft::io {

nlohmann::json to_json(const AgingResult& r);

std::vector<std::string> aging_columns();
std::vector<std::vector<double>> aging_table(const AgingResult& r);

std::vector<std::string> aging_equal_time_columns();
std::vector<std::vector<double>> aging_equal_time_table(const AgingResult& r);

}  // namespace gdmft::io
