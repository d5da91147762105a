// Transition lines by continuation: see dmft/boundary.hpp.
#include "dmft/boundary.hpp"

#include "numerics/brent.hpp"
#include "numerics/errors.hpp"

#include <chrono>
#include <cmath>

namespace gdmft {

namespace {

// Between traced points i and i+1 where the curve changes kind (continuous <-> discontinuous), the x at
// which the slope at 0+ of the branch changes sign.
template <class Slope>
Threshold threshold_between(const BoundaryResult& r, const std::vector<int>& discontinuous, Slope&& slope,
                            const std::string& what) {
    Threshold t;
    for (std::size_t i = 0; i + 1 < r.x.size(); ++i) {
        if (discontinuous[i] < 0 || discontinuous[i + 1] < 0 || discontinuous[i] == discontinuous[i + 1]) continue;
        const Brent1D b = brent_root(slope, r.x[i], r.x[i + 1], 1e-10, 0.0);
        if (b.ok) {
            t.found = true;
            t.x = b.x;
        } else {
            t.message = what + " changes between " + r.x_name + " = " + std::to_string(r.x[i]) + " and " +
                        std::to_string(r.x[i + 1]) + " but the slope at 0+ has no sign change there";
        }
        return t;
    }
    t.message = what + " does not change in the range";
    return t;
}

}  // namespace

BoundaryResult trace_boundary(const ModelParams& m, const ParameterAxis& x, const std::string& y_name,
                              const BoundaryOptions& o) {
    m.validate();
    if (x.points < 2) throw BadInput("points", "must be >= 2");
    if (x.name == y_name) throw BadInput("y", "must differ from the --x parameter ('" + x.name + "' on both)");
    if (ModelParams{}.field(y_name) == nullptr) throw BadInput("y", "unknown parameter '" + y_name + "'");
    const auto t0 = std::chrono::steady_clock::now();
    BoundaryResult r;
    r.x_name = x.name;
    r.y_name = y_name;
    const ParamRange p{y_name, o.y_min, o.y_max};
    std::vector<int> fp_kind, chaos_kind;  // 1 discontinuous, 0 continuous, -1 none
    double D_prev = 0, c0_prev = 0;
    Progress progress(o.observer, "boundary", x.points);
    for (int i = 0; i < x.points; ++i) {
        const double xv = x.value(i);
        const ModelParams a = with_parameter(m, x.name, xv);
        r.x.push_back(xv);
        const ZeroInstability z = zero_instability(a, p);
        r.zero_unstable.push_back(z.found ? z.value : transitions_detail::NaN);
        const FixedPointFold f = fixed_point_fold(a, p, D_prev);
        r.fixed_point_fold.push_back(f.found ? f.value : transitions_detail::NaN);
        r.D_fold.push_back(f.found ? f.D_fold : transitions_detail::NaN);
        fp_kind.push_back(f.found ? (f.continuous ? 0 : 1) : -1);
        D_prev = f.found && f.D_fold > 0 ? f.D_fold : 0;
        if (o.chaos) {
            const ChaosOnset c = chaos_onset(a, p, c0_prev, false);
            if (!c.supported) r.chaos_message = c.message;
            r.chaos_onset.push_back(c.found ? c.value : transitions_detail::NaN);
            r.c0_onset.push_back(c.found ? c.c0 : transitions_detail::NaN);
            r.chaos_discontinuous.push_back(c.found ? (c.discontinuous ? 1 : 0) : -1);
            chaos_kind.push_back(r.chaos_discontinuous.back());
            c0_prev = c.found && c.c0 > 0 && c.end == "fold" ? c.c0 : 0;
        }
        progress.update(i + 1);
    }
    progress.finish();
    const bool zero_branch = m.input_mean == 0 && m.input_std == 0 && x.name != "input_mean" && x.name != "input_std";
    if (o.thresholds && zero_branch) {
        r.first_order_fixed_point = threshold_between(
            r, fp_kind, [&](double xv) { return fixed_point_slope_at_zero(with_parameter(m, x.name, xv), p); },
            "the order of the fixed-point transition");
        if (o.chaos && r.chaos_message.empty())
            r.discontinuous_chaos = threshold_between(
                r, chaos_kind, [&](double xv) { return chaos_slope_at_zero(with_parameter(m, x.name, xv), p); },
                "the order of the chaotic transition");
    } else if (o.thresholds) {
        r.first_order_fixed_point.message = r.discontinuous_chaos.message =
            "thresholds need the zero fixed point (mu = s = 0 at every x)";
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace gdmft
