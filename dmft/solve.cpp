#include "dmft/solve.hpp"

#include "dmft/sampled_state.hpp"
#include "numerics/errors.hpp"

#include <cmath>
#include <limits>

namespace gdmft {

StationaryOptions resolved_options(const ModelParams& m, const StationaryOptions& o) {
    StationaryOptions r = o;
    r.method = resolve_method(m, o.method);
    if (r.grid.dt == 0) r.grid.dt = default_dt(r.method);
    return r;
}

StationaryResult solve_stationary(const ModelParams& m, const StationaryOptions& options) {
    m.validate();
    const StationaryOptions o = resolved_options(m, options);
    o.validate();
    LyapunovOptions lo;
    lo.observer = o.observer;
    lo.method = o.lyapunov_method;
    lo.paths = tangent_paths(static_cast<std::size_t>(o.paths));
    lo.random_sets = o.random_sets;
    lo.seed = o.seed;
    if (o.lyapunov) resolve_lyapunov_method(m, o.method, o.lyapunov_method);  // bad input before the solve

    StationaryResult r = o.method == Method::Gaussian ? solve_gaussian(m, o) : solve_sampled(m, o);
    attach_tail_form(r);
    if (!o.lyapunov) return r;
    const LyapunovResult l = lyapunov_max(m, r, lo);
    r.lambda_max = l.value;
    r.lambda_max_err = l.error;
    r.lambda_method = l.method == LyapunovMethod::Auto || !std::isfinite(l.value) ? "" : to_string(l.method);
    if (l.method != LyapunovMethod::Schrodinger) r.zero_mode_eigenvalue = std::numeric_limits<double>::quiet_NaN();
    if (!l.from_solver && !l.message.empty() && r.termination != Termination::NoChaoticSolution)
        r.message += "; " + l.message;
    if (!l.converged && r.converged && r.termination == Termination::Converged) {
        r.converged = false;
        r.termination = Termination::MaxIterations;
    }
    return r;
}

}  // namespace gdmft
