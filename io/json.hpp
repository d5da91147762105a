#pragma once
// One JSON writer per result type: the keys of INTERFACE.md (docs/interface.md) and the extras, as
// printed by the CLI's --json and readable by any caller of the library. A number that does not apply
// or did not come out finite is null. Run metadata (version, command line, seed) is the caller's.
#include "dmft/fixed_points.hpp"
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "numerics/tail_form.hpp"
#include "validation/attractor_fate.hpp"
#include "validation/pulse_response.hpp"
#include "validation/response_comparison.hpp"
#include "validation/simulation.hpp"

#include <nlohmann/json.hpp>

namespace gdmft::io {

// A double as JSON: null when not finite.
nlohmann::json num(double v);

// Every model parameter by its key (phi as a string).
nlohmann::json to_json(const ModelParams& m);

// The form of a correlation function's tail: every field of TailForm by its name (NaN as null,
// errors_from null when nothing was fitted).
nlohmann::json to_json(const TailForm& t);

// The stationary DMFT: converged, method, C_h0, ..., lambda_max (null unless computed), the solver's
// termination, message and residuals, and C_h's tail form under "tail".
nlohmann::json to_json(const StationaryResult& r);

// One fixed-point branch: Delta_h, Delta_r, Delta_z, G, stable.
nlohmann::json to_json(const FixedPointBranch& b);

// A finite-N simulation: means, standard errors over realizations, Lyapunov exponents and the
// Kaplan-Yorke dimension (when computed), one entry per realization, and C_h's tail form under "tail".
nlohmann::json to_json(const sim::SimulationResult& r);

// A pulse-response run and its comparison with the DMFT (`dmft` null when none was compared); the
// scalar readout at grid index `readout`.
nlohmann::json to_json(const sim::PulseResult& r, const sim::ResponseComparison& c, const StationaryResult* dmft,
                       std::size_t readout);

// The fate of finite-network trajectories: fraction settled on a fixed point, the chaotic lifetime
// (null when nothing settled; lifetime_lower_bound then), and one row per trajectory under "fates".
nlohmann::json to_json(const sim::FateSummary& r);

}  // namespace gdmft::io
