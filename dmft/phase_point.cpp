#include "dmft/phase_point.hpp"

#include "dmft/fixed_points.hpp"
#include "dmft/solve.hpp"
#include "numerics/errors.hpp"

#include <cmath>
#include <exception>
#include <sstream>

namespace gdmft {

std::string to_string(PhaseLabel l) {
    switch (l) {
        case PhaseLabel::Stable: return "stable";
        case PhaseLabel::Chaotic: return "chaotic";
        case PhaseLabel::Bistable: return "bistable";
        case PhaseLabel::Marginal: return "marginal";
        case PhaseLabel::Unresolved: return "unresolved";
    }
    return "unresolved";
}

void PhasePointOptions::validate() const {
    stationary.validate();
    if (fixed_point_scan < 10) throw BadInput("fixed_point_scan", "must be >= 10");
    if (!(decay_tol > 0 && decay_tol < 1)) throw BadInput("decay_tol", "must be in (0, 1)");
}

bool decaying_solution(const StationaryResult& r, double decay_tol) {
    const double decay = r.C_h0 - r.q_h;
    return r.termination == Termination::Converged && std::isfinite(decay) &&
           decay > decay_tol * std::max(1.0, std::fabs(r.C_h0));
}

const FixedPointBranch* smallest_stable_branch(const std::vector<FixedPointBranch>& branches) {
    const FixedPointBranch* stable = nullptr;
    for (const auto& b : branches)
        if (b.stable && (stable == nullptr || b.Delta_h < stable->Delta_h)) stable = &b;
    return stable;
}

PhaseLabel phase_label(const StationaryResult& r, bool stable_fp, double decay_tol, std::string& why) {
    std::ostringstream msg;
    PhaseLabel label = PhaseLabel::Unresolved;
    switch (r.termination) {
        case Termination::Converged: {
            if (!decaying_solution(r, decay_tol)) {
                msg << "converged solution without a decaying C_h (C_h0 - q_h = " << r.C_h0 - r.q_h << ")";
            } else if (!std::isfinite(r.lambda_max)) {
                msg << "decaying solution but lambda_max was not computed";
            } else if (r.lambda_max <= 0) {
                msg << "converged decaying solution with lambda_max = " << r.lambda_max << " <= 0";
            } else {
                label = stable_fp ? PhaseLabel::Bistable : PhaseLabel::Chaotic;
                msg << (stable_fp ? "chaotic solution coexisting with a stable fixed point" : "chaotic solution");
            }
            break;
        }
        case Termination::NoChaoticSolution:
            if (stable_fp) {
                label = PhaseLabel::Stable;
                msg << "no chaotic solution; a stable fixed point";
            } else {
                msg << "no chaotic solution and no stable fixed point";
            }
            break;
        default:
            msg << "solver did not converge (" << to_string(r.termination) << ")";
            break;
    }
    why = msg.str();
    return label;
}

PhasePoint classify_phase_point(const ModelParams& m, const PhasePointOptions& o) {
    m.validate();
    o.validate();
    PhasePoint p;
    std::ostringstream msg;

    // The fixed points: a stable branch is one with G < 1.
    std::vector<FixedPointBranch> branches;
    try {
        branches = fixed_points(m, o.fixed_point_scan);
    } catch (const BadInput&) {
        throw;
    } catch (const std::exception& e) {
        p.termination = "exception";
        p.message = std::string("fixed points failed: ") + e.what();
        return p;
    }
    p.fixed_point_branches = static_cast<int>(branches.size());
    const FixedPointBranch* stable = smallest_stable_branch(branches);
    if (stable != nullptr) {
        p.G = stable->G;
        p.stable_fixed_point_Delta_h = stable->Delta_h;
    } else if (!branches.empty()) {
        p.G = branches.front().G;  // fixed_points() returns increasing Delta_h
    }

    // The stationary DMFT with lambda_max.
    StationaryOptions so = o.stationary;
    so.lyapunov = true;
    so.observer = nullptr;
    StationaryResult r;
    try {
        r = solve_stationary(m, so);
    } catch (const BadInput&) {
        throw;
    } catch (const std::exception& e) {
        p.termination = "exception";
        p.message = std::string("stationary solver failed: ") + e.what();
        return p;
    }
    p.method = r.method;
    p.termination = to_string(r.termination);
    p.C_h0 = r.C_h0;
    p.lambda_max = r.lambda_max;

    std::string why;
    p.label = phase_label(r, stable != nullptr, o.decay_tol, why);
    msg << why;
    if (stable != nullptr) msg << " (stable fixed point at Delta_h = " << stable->Delta_h << ")";
    p.message = msg.str();
    if (!r.message.empty()) p.message += "; solver: " + r.message;
    return p;
}

}  // namespace gdmft
