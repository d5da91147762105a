#pragma once
// The converged state of the sampled stationary solver (dmft/sampled_solver.cpp): for each random set,
// the single-site fields of its fixed point, its path grid, path count and seed. With these a
// SingleSiteSampler redraws the very same paths (common random numbers), so a later stage (the tangent
// DMFT of lyapunov_max, the adjoint theory) works on the converged solution without solving again.
#include "dmft/model.hpp"
#include "dmft/single_site_sampler.hpp"
#include "dmft/tangent_dmft.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <vector>

namespace gdmft {

struct SampledSet {
    std::uint64_t seed = 0;    // the set's key (SingleSiteSampler set_seed)
    SiteGrid grid;
    std::size_t paths = 0;     // forward paths of the final stage
    TangentForward forward;    // fields, C_r and C_phi (raw) with their plateaus
};

struct SampledState {
    std::vector<SampledSet> sets;  // converged sets only, in the solver's order
};

// Tangent paths for a set of `forward_paths`: a quarter of them, at least 256 (one set of 256 scatters
// by up to 15% in lambda, dmft/lyapunov_sampled.hpp).
std::size_t tangent_paths(std::size_t forward_paths);

// lambda_max of one converged set by the tangent DMFT on its own paths; `smp` must be a sampler of the
// set's grid and seed (the solver's own, or a fresh SingleSiteSampler(p, set.grid, set.paths, set.seed)).
// `hint`: another set's result, whose root and eigenvector start the search (TangentOptions::hint).
TangentResult set_tangent_lambda(const ModelParams& p, SingleSiteSampler& smp, const SampledSet& set,
                                 const Observer* observer, const TangentResult* hint = nullptr);

}  // namespace gdmft
