#include "dmft/stationary.hpp"

#include "numerics/errors.hpp"

#include <cmath>

namespace gdmft {

std::string to_string(Termination t) {
    switch (t) {
        case Termination::Converged: return "converged";
        case Termination::MaxIterations: return "max_iterations";
        case Termination::Diverged: return "diverged";
        case Termination::NotFinite: return "not_finite";
        case Termination::NoChaoticSolution: return "no_chaotic_solution";
    }
    return "unknown";
}

void StationaryOptions::validate() const {
    if (!(std::isfinite(grid.dt) && grid.dt > 0)) throw BadInput("dt", "lag step must be a finite number > 0");
    if (!(std::isfinite(grid.window) && grid.window >= 0))
        throw BadInput("window", "lag window must be >= 0 (0 = automatic)");
    if (grid.window > 0 && grid.window < 4 * grid.dt) throw BadInput("window", "must be at least 4 lag steps (4 * dt)");
    if (!(std::isfinite(tol) && tol > 0)) throw BadInput("tol", "tolerance must be a finite number > 0");
    if (max_iterations < 1) throw BadInput("max_iter", "must be >= 1");
    if (paths < 2) throw BadInput("paths", "need at least 2 sample paths");
    if (random_sets < 1) throw BadInput("random_sets", "must be >= 1");
    if (!(std::isfinite(noise_tol) && noise_tol >= 0 && noise_tol <= 1))
        throw BadInput("noise_tol", "must be in [0, 1] (0 = iterate to tol)");
}

}  // namespace gdmft
