// The complexity along one parameter and its onset (see the header).
#include "dmft/complexity_scan.hpp"

#include "numerics/brent.hpp"
#include "numerics/errors.hpp"

#include <chrono>

namespace gdmft {

ComplexityScan complexity_scan(const ModelParams& model, const ParameterAxis& axis, int points,
                               const ComplexityOptions& opts) {
    if (points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(points));
    const auto t0 = std::chrono::steady_clock::now();
    ComplexityScan s;
    s.axis = axis;
    s.axis.points = points;
    for (int i = 0; i < points; ++i) {
        ComplexityScanRow row;
        row.value = s.axis.value(i);
        row.result = annealed_complexity(with_parameter(model, axis.name, row.value), opts);
        s.converged = s.converged && row.result.converged;
        s.rows.push_back(row);
    }
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
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

}  // namespace gdmft
