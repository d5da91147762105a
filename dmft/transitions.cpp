// Transitions along one parameter: see dmft/transitions.hpp.
#include "dmft/transitions.hpp"

#include "dmft/fixed_points.hpp"
#include "dmft/gaussian_closure.hpp"
#include "dmft/solve.hpp"
#include "numerics/brent.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

namespace gdmft {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool zero_inputs(const ModelParams& m) { return m.input_mean == 0 && m.input_std == 0; }
bool inputs_scanned(const std::string& name) { return name == "input_mean" || name == "input_std"; }
bool zero_branch_exists(const ModelParams& m, const ParamRange& p) {
    return zero_inputs(m) && !inputs_scanned(p.name);
}

std::string num(double v) { return fmt("%.8g", v); }

// The largest variance any branch can have over the bracket: D_max = g_h^2 max<sigma_r^2> + s^2.
double variance_top(const ModelParams& m, const ParamRange& p) {
    auto dmax = [](const ModelParams& a) {
        const Gate g = a.gate_r();
        const double s2 = g.constant() ? g.at_zero() * g.at_zero() : 1.0;
        return a.g_h * a.g_h * s2 + a.input_std * a.input_std;
    };
    return std::max(dmax(with_parameter(m, p.name, p.lo)), dmax(with_parameter(m, p.name, p.hi)));
}

// A branch p(x) sampled downward in x on a geometric grid.
struct Sample {
    double x = 0, p = kNaN, q = kNaN;
    bool valid = false;
};
struct Followed {
    enum Kind { Extremum, Invalid, Bottom, Empty } kind = Empty;
    Sample lo, mid, hi;  // Extremum: bracket lo.x < mid.x < hi.x; Invalid: hi valid, lo not
    double sign = 1;     // Extremum: +1 a minimum of p, -1 a maximum
    Sample last;         // the last valid sample (Bottom: the smallest x)
    int evaluations = 0;
};

Followed follow_down(const std::function<Sample(double)>& eval, double x_top, double x_bottom, double factor) {
    Followed f;
    std::vector<Sample> valid;
    for (double x = x_top; x >= x_bottom; x *= factor) {
        const Sample s = eval(x);
        ++f.evaluations;
        if (!s.valid || !std::isfinite(s.p)) {
            if (valid.empty()) continue;  // not on the branch yet
            f.kind = Followed::Invalid;
            f.hi = valid.back();
            f.lo = s;
            f.last = valid.back();
            return f;
        }
        valid.push_back(s);
        const std::size_t n = valid.size();
        if (n >= 3) {
            const double d1 = valid[n - 2].p - valid[n - 3].p, d2 = valid[n - 1].p - valid[n - 2].p;
            if (d1 != 0 && d2 != 0 && (d1 > 0) != (d2 > 0)) {
                f.kind = Followed::Extremum;
                f.hi = valid[n - 3];
                f.mid = valid[n - 2];
                f.lo = valid[n - 1];
                // Going down in x, p first moved by d1: p(x) has a minimum at mid if p rose towards larger x.
                f.sign = d1 < 0 ? 1.0 : -1.0;
                f.last = f.mid;
                return f;
            }
        }
    }
    if (!valid.empty()) {
        f.kind = Followed::Bottom;
        f.last = valid.back();
    }
    return f;
}

// Follow with a hint first ([hint / 8, above * hint]), then the whole range [x_bottom, x_top].
Followed follow(const std::function<Sample(double)>& eval, double x_top, double x_bottom, double factor, double hint,
                double above, int& evaluations) {
    if (hint > 0 && above * hint < x_top) {
        Followed local = follow_down(eval, above * hint, hint / 8, factor);
        evaluations += local.evaluations;
        if (local.kind == Followed::Extremum) return local;
    }
    Followed f = follow_down(eval, x_top, x_bottom, factor);
    evaluations += f.evaluations;
    return f;
}

bool in_range(double v, const ParamRange& p) {
    const double tol = 1e-12 * std::max(1.0, std::max(std::abs(p.lo), std::abs(p.hi)));
    return v >= p.lo - tol && v <= p.hi + tol;
}

double lambda_at_fixed_point(const ModelParams& m, double G) {
    return m.gate_z().at_zero() / m.tau_h * (-1 + std::sqrt(G));
}

}  // namespace

// ------------------------------------------------------------------------------------------------
ZeroInstability zero_instability(const ModelParams& m, const ParamRange& p, int points) {
    ZeroInstability z;
    if (zero_branch_exists(m, p)) {
        const double s0 = m.gate_r().at_zero();
        if (p.name == "g_h") {
            z.closed_form = true;
            z.value = 1 / s0;  // 1 + e^{beta_r}
        } else if (p.name == "beta_r") {
            z.closed_form = true;
            if (m.g_h > 1) z.value = std::log(m.g_h - 1);
            else z.message = "g_h <= 1: G0 = (g_h sigma_r(0))^2 < 1 for every beta_r";
        } else {
            const double g0 = m.g_h * s0;
            z.G_constant = g0 * g0;
            z.message = "G0 = (g_h sigma_r(0))^2 = " + num(z.G_constant) + " does not depend on " + p.name +
                        ": the zero fixed point is " + (z.G_constant < 1 ? "stable" : "unstable") + " throughout";
            return z;
        }
        z.found = std::isfinite(z.value) && in_range(z.value, p);
        if (std::isfinite(z.value) && !z.found) z.message = "G0 = 1 at " + p.name + " = " + num(z.value) + ", outside the range";
        return z;
    }
    // With inputs: G on the lowest root of U(D) = D.
    auto G_low = [&](double v) {
        const ModelParams a = with_parameter(m, p.name, v);
        const auto fps = fixed_points(a);
        return fps.empty() ? kNaN : fps.front().G - 1;
    };
    double x_prev = p.lo, g_prev = G_low(p.lo);
    for (int i = 1; i < points; ++i) {
        const double x = p.lo + (p.hi - p.lo) * i / (points - 1);
        const double g = G_low(x);
        if (std::isfinite(g) && std::isfinite(g_prev) && (g > 0) != (g_prev > 0)) {
            const Brent1D r = brent_root(G_low, x_prev, x, 1e-12, 0.0);
            if (r.ok && std::abs(r.f) < 1e-6) {
                z.found = true;
                z.value = r.x;
            } else {
                z.message = "G of the lowest fixed point jumps across 1 near " + p.name + " = " + num(r.x) +
                            " (the lowest branch ends there)";
            }
            return z;
        }
        x_prev = x;
        g_prev = g;
    }
    z.message = "G of the lowest fixed point does not cross 1 in the range";
    return z;
}

// ------------------------------------------------------------------------------------------------
FixedPointFold fixed_point_fold(const ModelParams& m, const ParamRange& p, double D_hint) {
    FixedPointFold out;
    const double top = variance_top(m, p);
    auto eval = [&](double D) {
        Sample s;
        s.x = D;
        s.p = fixed_point_branch(m, p, D);
        s.valid = std::isfinite(s.p);
        return s;
    };
    const Followed f = follow(eval, top, 1e-12 * top, 0.8, D_hint, 8.0, out.branch_points);
    auto slope_residual = [&](double D) {
        const double v = fixed_point_branch(m, p, D);
        return std::isfinite(v) ? fixed_point_slope(with_parameter(m, p.name, v), D) - 1 : kNaN;
    };
    if (f.kind == Followed::Extremum) {
        Brent1D r = brent_root(slope_residual, f.lo.x, f.hi.x, 1e-14, 0.0);
        if (!r.ok) {  // no sign change of dU/dD - 1 across the bracket: minimize p itself
            const double s = f.sign;
            r = brent_min([&](double D) { return s * fixed_point_branch(m, p, D); }, f.lo.x, f.mid.x, f.hi.x, 1e-10);
        }
        out.D_fold = r.x;
        out.value = fixed_point_branch(m, p, r.x);
        const ModelParams a = with_parameter(m, p.name, out.value);
        out.residual = std::abs(fixed_point_slope(a, r.x) - 1);
        out.map_residual = std::abs(fixed_point_map(a, r.x) - r.x) / r.x;
        out.found = std::isfinite(out.value) && in_range(out.value, p);
        if (!out.found) out.message = "the saddle-node lies at " + p.name + " = " + num(out.value) + ", outside the range";
        return out;
    }
    if (f.kind != Followed::Empty && zero_branch_exists(m, p)) {
        // Monotone down to D -> 0 (or to where p leaves the bracket near 0): a continuous onset at G0 = 1.
        const ZeroInstability z = zero_instability(m, p);
        out.continuous = true;
        out.D_fold = 0;
        out.value = z.value;
        out.found = z.found;
        if (std::isfinite(z.value)) out.residual = std::abs(fixed_point_slope(with_parameter(m, p.name, z.value), 0.0) - 1);
        out.map_residual = 0;
        out.message = z.found ? "continuous: the nonzero branch leaves Delta_h = 0 at G0 = 1" : z.message;
        return out;
    }
    out.message = f.kind == Followed::Empty ? "no nonzero fixed-point branch for " + p.name + " in the range"
                                            : "p(Delta_h) is monotone: a single branch, no saddle-node";
    return out;
}

// ------------------------------------------------------------------------------------------------
ChaosOnset chaos_onset(const ModelParams& m, const ParamRange& p, double c0_hint, bool with_jumps) {
    ChaosOnset out;
    const std::string why = chaos_branch_unsupported(m, p.name);
    if (!why.empty()) {
        out.supported = false;
        out.message = "not supported for this model: " + why;
        return out;
    }
    // Start high on the chaotic branch, but below where a steep gate makes the energy tables costly
    // (their cost grows as (alpha_r g_r)^2 c0): alpha_r g_r sqrt(c0) <= 60. Without a hint, the
    // fixed-point fold's D_fold is one: the chaotic fold lies below it (c0 ~ 0.5-0.7 D_fold at
    // alpha_r = 10 to 100), so the search starts at 1.5 D_fold.
    double top = variance_top(m, p);
    const double a = std::max(std::abs(m.alpha_r), p.name == "alpha_r" ? std::abs(p.hi) : 0.0) * m.g_r;
    if (a > 0) top = std::min(top, std::pow(60 / a, 2));
    if (!(c0_hint > 0)) {
        const FixedPointFold fp = fixed_point_fold(m, p);
        if (fp.D_fold > 0) c0_hint = fp.D_fold;
    }
    double last_p = std::numeric_limits<double>::quiet_NaN();  // the branch's previous valid point
    auto eval = [&](double c0) {
        const ChaosBranchPoint b = chaos_branch(m, p, c0, 1e-10, last_p);
        if (b.valid && std::isfinite(b.p)) last_p = b.p;
        Sample s;
        s.x = c0;
        s.p = b.p;
        s.q = b.q;
        s.valid = b.valid;
        return s;
    };
    Followed f = follow(eval, top, 1e-6 * top, 0.75, c0_hint, 1.5, out.branch_points);
    // Near c0 -> 0 of a continuous onset 1 - F'(q) is below rounding and the validity check fails: a
    // branch valid down to 1e-5 of its start reaches c0 = 0.
    if (f.kind == Followed::Invalid && f.hi.x < 1e-4 * top) f.kind = Followed::Bottom;
    double dir = 1;  // direction in p in which the chaotic branch exists past the onset
    if (f.kind == Followed::Extremum) {
        const double s = f.sign;
        const Brent1D r = brent_min([&](double y) { return s * chaos_branch(m, p, std::exp(y), 1e-10, f.mid.p).p; }, std::log(f.lo.x),
                                    std::log(f.mid.x), std::log(f.hi.x), 0.0, 1e-6);
        out.end = "fold";
        out.c0 = std::exp(r.x);
        const ChaosBranchPoint b = chaos_branch(m, p, out.c0, 1e-10, f.mid.p);
        out.value = b.p;
        out.q = b.q;
        const double h = 1e-3;
        out.slope = std::abs(chaos_branch(m, p, out.c0 * (1 + h), 1e-10, out.value).p -
                             chaos_branch(m, p, out.c0 * (1 - h), 1e-10, out.value).p) /
                    (2 * h * std::abs(out.value));
        dir = s;
    } else if (f.kind == Followed::Invalid) {
        double hi = std::log(f.hi.x), lo = std::log(f.lo.x);
        Sample good = f.hi;
        for (int it = 0; it < 40; ++it) {
            const Sample mid = eval(std::exp(0.5 * (lo + hi)));
            if (mid.valid && std::isfinite(mid.p)) {
                hi = std::log(mid.x);
                good = mid;
            } else {
                lo = 0.5 * (lo + hi);
            }
        }
        out.end = "validity";
        out.c0 = good.x;
        out.value = good.p;
        out.q = good.q;
        // The branch came down from larger c0: it exists on the side of p where its previous samples were.
        const Sample above = eval(good.x * 1.01);
        dir = above.p > good.p ? 1 : -1;
    } else if (f.kind == Followed::Bottom) {
        out.end = "continuous";
        out.c0 = 0;
        out.q = 0;
        if (zero_branch_exists(m, p)) {
            const ZeroInstability z = zero_instability(m, p);
            out.value = z.value;
        } else {
            out.value = f.last.p;
        }
    } else {
        out.message = "no chaotic branch for " + p.name + " in the range";
        return out;
    }
    out.found = std::isfinite(out.value) && in_range(out.value, p);
    out.discontinuous = out.end != "continuous" && out.c0 - out.q > 1e-3 * out.c0;
    if (out.end == "validity" && !out.discontinuous) {
        // The dynamic variance c0 - q vanished: the branch merged into the fixed-point branch, where
        // that fixed point loses stability (G = 1; with inputs the lowest branch is not at zero). The
        // validity checks fail just before (1 - F'(q) -> 0), so the onset itself is the G = 1 point.
        const ZeroInstability z = zero_instability(m, p);
        if (z.found) {
            out.end = "continuous";
            out.value = z.value;
        }
    }
    if (!out.found) {
        out.message = "the chaotic branch ends at " + p.name + " = " + num(out.value) + ", outside the range";
        return out;
    }
    if (!with_jumps) return out;
    const ModelParams at = with_parameter(m, p.name, out.value);
    // Coexisting fixed point: the lowest stable branch at the onset.
    for (const auto& b : fixed_points(at)) {
        if (!b.stable) continue;
        out.fixed_point_Delta_h = b.Delta_h;
        out.lambda_fixed_point = lambda_at_fixed_point(at, b.G);
        break;
    }
    if (!out.discontinuous) {
        out.jump_C_h0 = 0;
        out.jump_lambda_max = 0;
        return out;
    }
    // The chaotic solution just past the onset: its energy root next to c0 (the upper one of the pair
    // born at a fold), then the lag-grid solve from that root, with lambda_max.
    const double step = 1e-8 * std::max(1.0, std::abs(out.value));
    const ModelParams past = with_parameter(m, p.name, out.value + dir * step);
    auto E = [&](double c) { return closure::energy_residual(past, c, 1e-12); };
    Brent1D root;
    for (double k : {1.001, 1.01, 1.1, 1.5, 3.0}) {
        root = brent_root(E, out.c0, out.c0 * k, 1e-12, 0.0);
        if (root.ok) break;
    }
    const closure::EnergyPoint pt = root.ok ? closure::energy_point(past, root.x, 1e-12) : closure::EnergyPoint{};
    if (pt.valid) {
        closure::EnergyRoot er;
        er.found = true;
        er.c0 = root.x;
        er.q = pt.q;
        er.kappa = std::sqrt(pt.kappa2);
        StationaryOptions so;
        so.lyapunov = true;
        const StationaryResult r = closure::solve_gaussian_on_branch(past, so, er);
        if (r.termination == Termination::Converged) out.lambda_chaos = r.lambda_max;
        else out.message = "the lag-grid solve just past the onset did not converge (" + to_string(r.termination) + ")";
    } else {
        out.message = "no valid energy root next to the onset's C_h0 just past it";
    }
    if (std::isfinite(out.fixed_point_Delta_h)) {
        out.jump_C_h0 = out.c0 - out.fixed_point_Delta_h;
        out.jump_lambda_max = out.lambda_chaos - out.lambda_fixed_point;
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
void TransitionOptions::validate() const {
    if (points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(points));
}

TransitionsResult transitions(const ModelParams& m, const ParameterAxis& scan, const TransitionOptions& o) {
    o.validate();
    m.validate();
    const auto t0 = std::chrono::steady_clock::now();
    TransitionsResult out;
    out.scan = scan;
    out.scan.points = o.points;
    const ParamRange p{scan.name, scan.min, scan.max};
    out.zero_unstable = zero_instability(m, p, o.points);
    out.fixed_point = fixed_point_fold(m, p);
    out.chaos = chaos_onset(m, p, 0, o.jumps);

    if (o.table) {
        Progress progress(o.observer, "transitions scan", o.points);
        for (int i = 0; i < o.points; ++i) {
            ScanRow row;
            row.value = out.scan.value(i);
            const ModelParams a = with_parameter(m, scan.name, row.value);
            const auto fps = fixed_points(a);
            row.branches = static_cast<int>(fps.size());
            if (!fps.empty()) {
                row.G = fps.front().G;
                row.stable = fps.front().stable;
                row.Delta_h_max = fps.back().Delta_h;
                row.G_max = fps.back().G;
                row.stable_max = fps.back().stable;
            }
            if (a.alpha_z == 0) {
                StationaryOptions so;
                so.lyapunov = o.lyapunov;
                const StationaryResult r = solve_stationary(a, so);
                row.solved = true;
                row.converged = r.converged;
                row.termination = to_string(r.termination);
                row.C_h0 = r.C_h0;
                row.lambda_max = r.lambda_max;
                row.chaotic = r.termination == Termination::Converged;
                row.bistable = row.chaotic && r.coexists_with_stable_fixed_point;
            }
            out.rows.push_back(row);
            progress.update(i + 1);
        }
        progress.finish();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace gdmft
