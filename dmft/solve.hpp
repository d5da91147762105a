#pragma once
// The one stationary entry point (THEORY.md 2): picks the method (options.method, Auto by alpha_z),
// applies the method's own defaults (the lag step), solves, fills the form of C_h's tail
// (attach_tail_form, dmft/stationary.hpp), and with options.lyapunov adds lambda_max
// by options.lyapunov_method (dmft/lyapunov.hpp). Every subcommand and library caller uses this.
#include "dmft/lyapunov.hpp"
#include "dmft/model.hpp"
#include "dmft/sampled_state.hpp"
#include "dmft/stationary.hpp"

namespace gdmft {

// Throws BadInput naming the key for a bad model, bad options or a method that does not apply.
StationaryResult solve_stationary(const ModelParams& m, const StationaryOptions& o);

// The options with the method resolved (never Auto) and the lag step filled in: what solve_stationary
// runs, for callers that record their settings before solving.
StationaryOptions resolved_options(const ModelParams& m, const StationaryOptions& o);

}  // namespace gdmft
