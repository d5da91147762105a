#pragma once
// lambda_max of a converged Gaussian closure (alpha_z = 0) by the tangent DMFT on sampled paths
// (dmft/tangent_dmft.hpp, THEORY.md 5), for the cases the Schrodinger ground state does not cover
// (a dynamic r gate: alpha_r != 0 and tau_r > 0), and as an independent check where it does.
//
// The forward problem is not re-solved: the single-site fields are read off the closure's converged
// solution on its own lag grid (eta_h has covariance g_h^2 C_srphi, raw, with its plateau as the static
// part; r has the closure's C_r; with alpha_z = 0 the clock is constant), tapered over the last quarter
// of the window like the sampled solver's fields. For each of `random_sets` independent random sets a
// SingleSiteSampler draws the forward paths and tangent_lambda_max finds the lambda at which the
// tangent map's spectral radius is 1; lambda_max is the mean over sets and lambda_max_err their
// standard error. The sampled forward C_phi differs from the closure's by the path discretisation,
// O(dt), and by sampling noise (reported in the message).
//
// Noise (measured, alpha_r = 4, g_h = 3, tau_r = 0, dt 0.1, paths of 640 tau_h): one application of the
// tangent map scatters by ~22% per path; the spectral radius of a set scatters ~3 times more than one
// application, so lambda_max of one set of 512 paths scatters by ~3% (0.0043), of 256 paths by up to
// 15%. Use at least ~500 paths per set.
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "dmft/tangent_dmft.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct ClosureTangentOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    std::size_t paths = 1024;   // tangent paths per random set (rounded up to a multiple of 8)
    int random_sets = 4;        // independent sets; >= 2 for an error bar
    std::uint64_t seed = 1;
    double measured_teff = 300; // measured length of each path, in effective time constants tau_h/s0
                                // (at least two lag windows)
    TangentOptions tangent = coarse();  // power iteration and lambda search (tangent.paths is ignored)
    // The eigenvector to a residual of 1e-3 (rho to about 5e-4) and lambda to 2e-3 / tau_eff: far below
    // the statistical error of a set (~3%).
    static TangentOptions coarse() {
        TangentOptions t;
        t.power_tol = 1e-3;
        t.lambda_tol = 2e-3;
        return t;
    }
};

struct ClosureTangentResult {
    bool converged = false;     // every set's search converged
    double lambda_max = std::numeric_limits<double>::quiet_NaN();      // per tau_h, mean over sets
    double lambda_max_err = std::numeric_limits<double>::quiet_NaN();  // standard error over sets
    std::vector<double> set_lambda;
    double rho_zero = std::numeric_limits<double>::quiet_NaN();  // spectral radius at lambda = 0, set 1
    double clipped_weight = 0;  // largest clipped spectral weight of the forward embeddings
    std::string message;
};

// The single-site fields of a Gaussian-closure result on its own lag grid, as described above (eta_h
// and r tapered over the last quarter of the window, static parts from the plateaus, C_phi raw): the
// forward state the sampled routes (this tangent DMFT, the adjoint of dmft/adjoint_sampled.hpp) draw
// their paths from. Throws BadInput("closure", ...) for a result of another method.
TangentForward closure_forward(const ModelParams& p, const StationaryResult& closure);

// `closure` must be a converged chaotic Gaussian-closure result (termination Converged) of model p.
ClosureTangentResult tangent_lambda_from_closure(const ModelParams& p, const StationaryResult& closure,
                                                 const ClosureTangentOptions& o);

}  // namespace gdmft
