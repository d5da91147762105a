// The complexity along one parameter and its onset (see the header).
#include "dmft/complexity_scan.hpp"

#include "dmft/gated_complexity.hpp"
#include "numerics/brent.hpp"
#include "numerics/errors.hpp"

#include <chrono>
#include <cmath>
#include <limits>

namespace gdmft {

namespace {

void scs_onset(ComplexityScan& s, const ModelParams& model, const ParameterAxis& axis) {
    auto b = [&](double v) { return complexity_bifurcation(with_parameter(model, axis.name, v)); };
    const double blo = b(axis.min), bhi = b(axis.max);
    if (blo == 0) s.onset = axis.min;
    else if (bhi == 0) s.onset = axis.max;
    else if ((blo < 0) != (bhi < 0)) {
        const auto root = brent_root(b, axis.min, axis.max, 1e-13, 1e-13);
        if (root.ok) s.onset = root.x;
    }
    s.onset_message = s.onset ? "where g_eff = g_h sigma_r(0) = 1: the nontrivial maximum of the profile G(q) branches off q = 0"
                              : "g_eff - 1 keeps one sign over the range: Sigma does not turn positive inside it";
}

// Gated rows from the top down along one branch, and the onset on it.
void gated_rows(ComplexityScan& s, const ModelParams& model, const ComplexityOptions& opts) {
    const auto& axis = s.axis;
    const int n = axis.points;
    s.rows.resize(n);
    struct Known {
        double v;
        GatedSaddle saddle;
        double S;
    };
    std::vector<Known> known;  // converged points of the branch
    int lowest_on_branch = n;  // rows [lowest_on_branch, n) lie on the branch
    for (int i = n - 1; i >= 0; --i) {
        ComplexityScanRow& row = s.rows[i];
        row.value = axis.value(i);
        const ModelParams m = with_parameter(model, axis.name, row.value);
        if (m.alpha_r == 0) {
            row.result = annealed_complexity(m, opts);
            continue;
        }
        GatedSolve g;
        if (i == n - 1) {
            g = gated_branch(m, opts);
        } else if (lowest_on_branch == i + 1) {
            g = gated_track(model, axis.name, known.back().v, known.back().saddle, row.value,
                            std::abs(row.value - known.back().v), opts);
            if (!g.converged) {
                s.branch_end = g.reached;
                s.branch_end_reason = g.why;
                known.push_back({g.reached, g.saddle, g.eval.S});
                g.why = "the nontrivial branch ends at " + axis.name + " = " + std::to_string(g.reached) + " (" + g.why + ")";
            }
        } else {
            g.why = "below the end of the nontrivial branch at " + axis.name + " = " +
                    (s.branch_end ? std::to_string(*s.branch_end) : std::string("(not found)"));
        }
        if (g.converged) {
            if (lowest_on_branch == i + 1) lowest_on_branch = i;
            known.push_back({row.value, g.saddle, g.eval.S});
        } else if (i == n - 1) {
            s.branch_end_reason = g.why;
        }
        row.result = gated_result(m, g, opts);
    }
    // Onset: going down the branch, the first place where S* stops being positive.
    auto nearest = [&](double v) {
        const Known* best = &known.front();
        for (const auto& k : known)
            if (std::abs(k.v - v) < std::abs(best->v - v)) best = &k;
        return *best;
    };
    auto S_at = [&](double v) {
        const Known k = nearest(v);
        if (k.v == v) return k.S;
        const GatedSolve g = gated_track(model, axis.name, k.v, k.saddle, v, std::abs(v - k.v), opts);
        if (!g.converged) return std::numeric_limits<double>::quiet_NaN();
        known.push_back({v, g.saddle, g.eval.S});
        return g.eval.S;
    };
    s.onset_message = "Sigma does not turn positive inside the range along the nontrivial branch";
    if (lowest_on_branch == n) {
        s.onset_message = "no nontrivial branch at the top of the range: " + s.branch_end_reason;
        return;
    }
    for (int i = n - 1; i >= lowest_on_branch; --i) {
        const double Si = *s.rows[i].result.branch_value;
        if (Si > 0 && i > lowest_on_branch) continue;
        if (Si > 0 && i == lowest_on_branch) {
            if (!s.branch_end) {
                s.onset_message = "Sigma > 0 down to the bottom of the range: the onset lies below it";
                return;
            }
            // The branch ends between rows i - 1 and i while S* > 0 there.
            const Known end = nearest(*s.branch_end);
            if (end.S > 0) {
                s.onset = *s.branch_end;
                s.onset_q = end.saddle.q;
                const bool merges = s.branch_end_reason == "q -> 0";
                s.onset_discontinuous = !merges;
                s.onset_message = merges ? "the nontrivial branch merges with the trivial solution (q -> 0): a continuous onset"
                                         : "the nontrivial branch ends (" + s.branch_end_reason +
                                               ") at S* > 0: Sigma jumps from 0 to " + std::to_string(end.S);
                return;
            }
            const auto root = brent_root(S_at, *s.branch_end, s.rows[i].value, 1e-12, 1e-12);
            if (root.ok) {
                s.onset = root.x;
                s.onset_q = nearest(root.x).saddle.q;
                s.onset_message = "where S* of the nontrivial branch crosses 0 (Brent); the fixed-point law jumps from x = 0 to q > 0";
            }
            return;
        }
        // Si <= 0: the crossing lies between rows i and i + 1 (if i + 1 is in the range and positive).
        if (i == n - 1) {
            s.onset_message = "S* <= 0 at the top of the range: Sigma = 0 throughout (onset above the range, if any)";
            return;
        }
        const auto root = brent_root(S_at, s.rows[i].value, s.rows[i + 1].value, 1e-12, 1e-12);
        if (root.ok) {
            s.onset = root.x;
            s.onset_q = nearest(root.x).saddle.q;
            s.onset_message = "where S* of the nontrivial branch crosses 0 (Brent); the fixed-point law jumps from x = 0 to q > 0";
        } else {
            s.onset_message = "S* changes sign between rows but Brent failed on the branch";
        }
        return;
    }
}

}  // namespace

ComplexityScan complexity_scan(const ModelParams& model, const ParameterAxis& axis, int points,
                               const ComplexityOptions& opts) {
    if (points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(points));
    const auto t0 = std::chrono::steady_clock::now();
    ComplexityScan s;
    s.axis = axis;
    s.axis.points = points;
    bool gated = false;
    for (int i = 0; i < points; ++i) {
        const ModelParams m = with_parameter(model, axis.name, s.axis.value(i));
        require_complexity_scope(m);
        gated = gated || m.alpha_r != 0;
    }
    if (gated) {
        gated_rows(s, model, opts);
        for (const auto& row : s.rows) s.converged = s.converged && row.result.converged;
    } else {
        for (int i = 0; i < points; ++i) {
            ComplexityScanRow row;
            row.value = s.axis.value(i);
            row.result = annealed_complexity(with_parameter(model, axis.name, row.value), opts);
            s.converged = s.converged && row.result.converged;
            s.rows.push_back(row);
        }
        scs_onset(s, model, axis);
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

}  // namespace gdmft
