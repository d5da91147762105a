#include "dmft/lyapunov.hpp"

#include "dmft/lyapunov_closure_tangent.hpp"
#include "dmft/lyapunov_sampled.hpp"
#include "dmft/sampled_state.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/stats.hpp"

#include <cmath>

namespace gdmft {

namespace {

bool schrodinger_applies(const ModelParams& m) { return m.gate_r().constant() || m.tau_r == 0; }

LyapunovResult from_solver(const StationaryResult& s, LyapunovMethod how) {
    LyapunovResult l;
    l.converged = std::isfinite(s.lambda_max);
    l.value = s.lambda_max;
    l.error = s.lambda_max_err;
    l.method = how;
    l.from_solver = true;
    l.message = "computed by the stationary solver";
    return l;
}

// The sampled tangent DMFT on each kept set of the sampled solver.
LyapunovResult sampled_sets(const ModelParams& m, const StationaryResult& s, const LyapunovOptions& o) {
    LyapunovResult l;
    l.method = LyapunovMethod::SampledTangent;
    if (!s.sampled_state || s.sampled_state->sets.empty()) {
        l.message = "the sampled solution keeps no converged random set";
        return l;
    }
    std::vector<double> lams;
    bool all = true;
    int k = 0;
    TangentResult first;  // the first set's result starts the later sets' searches
    for (const SampledSet& set : s.sampled_state->sets) {
        SingleSiteSampler smp(m, set.grid, set.paths, set.seed);
        const TangentResult t = set_tangent_lambda(m, smp, set, o.observer, k > 0 ? &first : nullptr);
        if (k == 0) first = t;
        log_line(o.observer, "lyapunov: set " + std::to_string(++k) + ": " + t.message);
        if (std::isfinite(t.lambda_max)) lams.push_back(t.lambda_max);
        all = all && t.converged;
        if (l.message.empty()) l.message = t.message;
    }
    const MeanErr e = mean_err(lams);
    l.converged = all && !lams.empty();
    l.value = lams.empty() ? std::nan("") : e.mean;
    l.error = lams.size() > 1 ? e.stderr_ : std::nan("");
    return l;
}

// The Schrodinger ground state of a closure solved without it: solve again on the same lag grid.
LyapunovResult schrodinger_again(const ModelParams& m, const StationaryResult& s, const LyapunovOptions& o) {
    StationaryOptions so;
    so.observer = o.observer;
    so.grid.dt = s.tau.size() > 1 ? s.tau[1] - s.tau[0] : 0.0;
    so.grid.window = s.tau.size() > 1 ? s.tau.back() : 0.0;
    so.lyapunov = true;
    const StationaryResult again = solve_gaussian(m, so);
    LyapunovResult l = from_solver(again, LyapunovMethod::Schrodinger);
    l.from_solver = false;  // computed here, by solving again
    l.message = "Schrodinger ground state (closure solved again on the same lag grid, zero mode " +
                fmt("%.6g", again.zero_mode_eigenvalue) + ")";
    return l;
}

}  // namespace

void LyapunovOptions::validate() const {
    if (paths < 8) throw BadInput("lyapunov_paths", "must be >= 8");
    if (random_sets < 1) throw BadInput("random_sets", "must be >= 1");
}

LyapunovMethod resolve_lyapunov_method(const ModelParams& m, Method solver, LyapunovMethod r) {
    if (r == LyapunovMethod::FixedPoint)
        throw BadInput("lyapunov_method", "fixed-point is chosen by the solution itself; ask for auto");
    if (solver == Method::Sampled) {
        if (r != LyapunovMethod::Auto && r != LyapunovMethod::SampledTangent)
            throw BadInput("lyapunov_method", "the sampled solver computes lambda_max by sampled-tangent only");
        return LyapunovMethod::SampledTangent;
    }
    if (r == LyapunovMethod::Schrodinger && !schrodinger_applies(m))
        throw BadInput("lyapunov_method", "schrodinger needs tau_r = 0 or a constant r gate (alpha_r = 0)");
    if (r == LyapunovMethod::Auto)
        return schrodinger_applies(m) ? LyapunovMethod::Schrodinger : LyapunovMethod::ClosureTangent;
    return r;
}

LyapunovResult lyapunov_max(const ModelParams& m, const StationaryResult& s, const LyapunovOptions& o) {
    o.validate();
    if (s.method != "gaussian" && s.method != "sampled")
        throw BadInput("method", "lyapunov_max needs a solution of the gaussian or sampled method, got '" + s.method + "'");
    const Method solver = s.method == "gaussian" ? Method::Gaussian : Method::Sampled;
    const LyapunovMethod how = resolve_lyapunov_method(m, solver, o.method);
    LyapunovResult none;
    if (solver == Method::Gaussian && s.termination == Termination::NoChaoticSolution) {
        // The stationary state is the fixed point (C_h0 = Delta_h, C_r0 = Delta_r): its support edge.
        if (!s.converged) {
            none.message = "no stable stationary state";
            return none;
        }
        LyapunovResult l;
        l.method = LyapunovMethod::FixedPoint;
        l.value = std::isfinite(s.lambda_max) ? s.lambda_max : fixed_point_lambda(m, s.C_h0, s.C_r0);
        l.converged = std::isfinite(l.value);
        l.message = "support edge of the Jacobian at the stable fixed point";
        return l;
    }
    // A sampled solve that converged on its last window but stopped at the window budget computed
    // lambda_max on that window: it is returned with the rest of that solution (not settled, like it).
    const bool solver_value = s.lambda_method == to_string(how) && std::isfinite(s.lambda_max);
    if (!s.converged && !(solver_value && s.termination == Termination::Budget)) {
        none.message = "the stationary solution did not converge";
        return none;
    }
    if (solver_value) return from_solver(s, how);
    switch (how) {
        case LyapunovMethod::SampledTangent:
            if (solver == Method::Sampled) return sampled_sets(m, s, o);
            {
                ClosureTangentOptions to;
                to.observer = o.observer;
                to.paths = o.paths;
                to.random_sets = o.random_sets;
                to.seed = o.seed;
                const ClosureTangentResult t = tangent_lambda_from_closure(m, s, to);
                LyapunovResult l;
                l.method = how;
                l.converged = t.converged;
                l.value = t.lambda_max;
                l.error = t.lambda_max_err;
                l.message = t.message;
                return l;
            }
        case LyapunovMethod::ClosureTangent: {
            const ClosureTangentMapResult t = closure_tangent_lambda(m, s);
            log_line(o.observer, "lyapunov: " + t.message);
            LyapunovResult l;
            l.method = how;
            l.converged = t.converged;
            l.value = t.lambda_max;
            l.message = t.message;
            return l;
        }
        case LyapunovMethod::Schrodinger: return schrodinger_again(m, s, o);
        default: break;
    }
    none.message = "no route applies";
    return none;
}

}  // namespace gdmft
