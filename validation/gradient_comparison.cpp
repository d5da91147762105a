// The adjoint DMFT against finite-N backpropagation at a validation point (see the header).
#include "validation/gradient_comparison.hpp"

#include "dmft/adjoint.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/phase_point.hpp"
#include "validation/backprop.hpp"

#include <cmath>

namespace gdmft::sim {

namespace {

ComparisonRow row(const std::string& point, const std::string& quantity, std::size_t N, int networks, double dmft,
                  double mean, double err) {
    ComparisonRow r;
    r.point = point;
    r.quantity = quantity;
    r.N = N;
    r.realizations = networks;
    r.dmft = dmft;
    r.sim.mean = mean;
    r.sim.stderr_ = err;
    r.sim.n = static_cast<std::size_t>(networks);
    r.rel_diff = (mean - dmft) / dmft;
    r.z_score = err > 0 ? (mean - dmft) / err : std::numeric_limits<double>::quiet_NaN();
    return r;
}

}  // namespace

std::string compare_gradients(const PointComparison& pc, const ValidationSettings& s,
                              const GradientComparisonSettings& g, std::vector<ComparisonRow>& rows) {
    const ModelParams& p = pc.point.model;
    if (p.alpha_z != 0) return "alpha_z != 0: the adjoint DMFT's closure route does not apply (sampled route: gdmft gradient)";
    AdjointOptions a;
    a.horizon = g.horizon;
    a.dt = g.dt;
    a.reference = false;
    AdjointResult d;
    if (pc.theory.converged && decaying_solution(pc.theory) && pc.theory.method == "gaussian") {
        d = adjoint_closure(p, pc.theory, a);
    } else {
        const auto b = fixed_points(p);
        const FixedPointBranch* st = smallest_stable_branch(b);
        if (!st) return "neither a chaotic closure solution nor a stable fixed point";
        d = adjoint_fixed_point(p, st->Delta_h, st->Delta_r, a);
    }
    if (!d.finite) return "the adjoint DMFT overflowed";
    const double from = 0.5 * g.horizon;
    const double slope = detail::fit_growth(d.t_before_horizon, d.log_a_h2, from, false).first;
    for (std::size_t N : s.sizes) {
        BackpropOptions o;
        o.observer = s.observer;
        o.N = N;
        o.seed = s.seed + 7919 * N;
        o.networks = s.realizations;
        o.readouts = g.readouts;
        o.burn_in = g.burn_in;
        o.single_precision = s.float32;
        o.window.horizon = g.horizon;
        o.window.dt = g.dt;
        o.window.profile_spacing = a.resolved_spacing();
        const BackpropResult r = backprop_gradients(p, o);
        const GrowthFit f = fit_growth_rate(r, from, g.horizon);
        rows.push_back(row(pc.point.name, "gradient_growth", N, o.networks, slope, f.rate, f.stderr_));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        rows.push_back(row(pc.point.name, "grad_norm_Jh", N, o.networks, d.grad_norm_Jh.back(),
                           r.grad_norm_Jh.value().value_or(nan), r.grad_norm_Jh.stderr_().value_or(nan)));
    }
    return "";
}

}  // namespace gdmft::sim
