#pragma once
// The ageing flags shared by `simulate` and `transient` (--waiting-times, --aging-lags, --aging-min-lag;
// --max-lag is each command's own), the files aging.csv and aging_equal_time.csv, and the text summary.
#include "dmft/aging_curves.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace gdmft::app {

// Adds --waiting-times T1,T2,..., --aging-lags N and --aging-min-lag L (group "Ageing"), bound to `g`.
void add_aging_flags(CLI::App& cmd, AgingGrid& g);
// True when --waiting-times was given; throws BadInput when another ageing flag was given without it.
bool aging_requested(const CLI::App& cmd);
// Throws BadInput naming the first of `flags` (e.g. "--t-max") that was given, with the rule `why`.
void reject_flags(const CLI::App& cmd, const std::vector<std::string>& flags, const std::string& why);

// The grid's settings (waiting_times, max_lag as resolved, aging_lags, aging_min_lag) into `s`.
void add_aging_settings(nlohmann::json& s, const AgingGrid& g, double max_lag);
// DIR/aging.csv and DIR/aging_equal_time.csv with the run's header.
void write_aging_files(const std::string& dir, const nlohmann::json& meta, const AgingResult& r);
// Per waiting time: C_h(t_w, t_w) and the normalised correlation at a few lags; the t_w-shift summary.
void print_aging_summary(const AgingResult& r);

}  // namespace gdmft::app
