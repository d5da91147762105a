#pragma once
// Which state a spectrum is taken at, and which support boundary predicts it (THEORY.md 4).
//
// The state: --at auto takes the fixed point when the mean-field analysis (dmft/fixed_points.hpp) has a
// stable branch (G < 1), else a snapshot of the chaotic flow. In bistable regions, where a stable fixed
// point coexists with chaos, the caller should say which one it wants.
//
// The boundary: at a fixed point, the statistics (Delta_h, Delta_r, Delta_z) of the branch nearest to
// the network's own Delta_h. At a snapshot with alpha_z = 0, the stationary DMFT (Gaussian closure:
// mean_h, C_h0, C_r0). With alpha_z != 0, the snapshot's own single-site statistics kept per unit
// (support_model_units: the z term needs the drive D, which the DMFT solvers do not return, and at a
// snapshot h and the clock are correlated, so the averages are joint rather than factorized).
// `empirical` uses the state's statistics in every case.
#include "dmft/fixed_points.hpp"
#include "dmft/model.hpp"
#include "dmft/support_boundary.hpp"
#include "numerics/progress.hpp"
#include "validation/jacobian_spectrum.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <optional>
#include <string>

namespace gdmft::sim {

// "auto", "fixedpoint" or "snapshot" (throws BadInput("at", ...) otherwise).
SpectrumAt choose_spectrum_at(const ModelParams& m, const std::string& requested);

struct SpectrumTheory {
    SupportModel model;                    // the boundary's model (model.source names it)
    double Delta_h_measured = NAN;         // at a fixed point: mean (h - mu)^2 of the network
    std::optional<FixedPointBranch> branch;  // at a fixed point: the branch used
    bool dmft_used = false;                // at a snapshot with alpha_z = 0: the closure was solved
    bool dmft_converged = false;
    double dmft_C_h0 = NAN, dmft_C_r0 = NAN;
};

// `x`: the network state (h first, N units); `samples`: its per-unit statistics (site_samples).
// Throws NumericalFailure if the fixed-point analysis finds no branch.
SpectrumTheory spectrum_theory(const ModelParams& m, SpectrumAt at, bool empirical, const Eigen::VectorXd& x,
                               std::size_t N, const SiteSamples& samples, std::uint64_t seed,
                               const Observer* observer);

}  // namespace gdmft::sim
