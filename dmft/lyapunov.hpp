#pragma once
// The one entry point for the largest Lyapunov exponent of a stationary DMFT solution (THEORY.md 5),
// whatever the route. The routes (LyapunovMethod, dmft/stationary.hpp):
//   schrodinger      Gaussian closure with tau_r = 0 or a constant r gate: ground state of the
//                    Schrodinger problem (dmft/lyapunov_schrodinger.hpp), computed inside the closure;
//   closure-tangent  Gaussian closure, any tau_r: the tangent self-consistency in closed form on the
//                    closure's pair averages (dmft/lyapunov_closure_tangent.hpp), deterministic;
//   sampled-tangent  the tangent DMFT on sampled single-site paths (dmft/tangent_dmft.hpp): on the
//                    sampled solver's own converged sets (any alpha_z), or driven by the closure's fields
//                    (dmft/lyapunov_sampled.hpp); the error is the spread over random sets;
//   fixed-point      no chaotic solution: the Jacobian support edge at the stable fixed point.
// Auto: schrodinger where it applies, else closure-tangent for the closure, sampled-tangent for the
// sampled solver; fixed-point whenever the solution is the fixed point.
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace gdmft {

struct LyapunovOptions {
    const Observer* observer = nullptr;
    LyapunovMethod method = LyapunovMethod::Auto;
    // sampled-tangent on a closure: paths per random set and sets (>= 2 for an error bar), seed.
    std::size_t paths = 1024;
    int random_sets = 4;
    std::uint64_t seed = 1;
    void validate() const;  // throws BadInput naming the option
};

struct LyapunovResult {
    bool converged = false;  // false: the route's search did not converge, or nothing applies
    double value = std::numeric_limits<double>::quiet_NaN();  // lambda_max per tau_h
    double error = std::numeric_limits<double>::quiet_NaN();  // standard error over random sets (sampled routes)
    LyapunovMethod method = LyapunovMethod::Auto;             // the route taken (Auto: none applied)
    bool from_solver = false;  // the value the stationary solver had already computed, returned as it is
    std::string message;
};

// The route that `requested` takes for solution `s` of model m. Throws BadInput("lyapunov_method", ...)
// for a combination that does not apply (a route of the other solver, schrodinger with a dynamic r gate).
LyapunovMethod resolve_lyapunov_method(const ModelParams& m, Method solver, LyapunovMethod requested);

// lambda_max of `s`, a solution of model m from solve_stationary / solve_gaussian / solve_sampled. A
// value the solver already computed by the chosen route is returned as it is; otherwise the route runs
// on the converged solution (the sampled solver's kept state, or the closure's functions).
LyapunovResult lyapunov_max(const ModelParams& m, const StationaryResult& s, const LyapunovOptions& o);

}  // namespace gdmft
