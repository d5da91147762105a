// TEMPORARY (branch adjs): local definitions of AdjointOptions::validate and detail::fit_growth, which
// dmft/adjoint.hpp declares and the closure route's dmft/adjoint.cpp defines. They let the sampled route
// (dmft/adjoint_sampled.cpp) build and be tested before that file is merged; delete this file at the
// merge (the two definitions would collide), keeping adjoint.cpp's.
#include "dmft/adjoint.hpp"
#include "numerics/errors.hpp"

#include <Eigen/Dense>

#include <cmath>

namespace gdmft {

namespace {
// |x / step - round(x / step)| small: x is a whole number of steps.
bool multiple_of(double x, double step) {
    const double r = x / step;
    return std::abs(r - std::round(r)) <= 1e-9 * std::max(1.0, r);
}
}  // namespace

void AdjointOptions::validate() const {
    if (!(std::isfinite(horizon) && horizon > 0)) throw BadInput("horizon", "must be a finite number > 0");
    if (!(std::isfinite(dt) && dt > 0)) throw BadInput("dt", "must be a finite number > 0");
    if (!multiple_of(horizon, dt)) throw BadInput("dt", "must divide the horizon");
    if (!(std::isfinite(profile_spacing) && profile_spacing > 0 && profile_spacing <= horizon))
        throw BadInput("profile-spacing", "must be in (0, horizon]");
    if (!multiple_of(profile_spacing, dt)) throw BadInput("profile-spacing", "must be a multiple of dt");
    if (!(fit_from >= 0 && fit_from < 1)) throw BadInput("fit-from", "must be in [0, 1)");
    if (memory_limit == 0) throw BadInput("memory-limit", "must be > 0");
}

std::pair<double, double> detail::fit_growth(const std::vector<double>& s, const std::vector<double>& y, double s_min,
                                             bool with_power) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double lo = std::max(s_min, 0.0);
    std::vector<std::size_t> use;
    for (std::size_t i = 0; i < s.size() && i < y.size(); ++i)
        if (s[i] >= lo && s[i] > 0 && std::isfinite(y[i])) use.push_back(i);
    const Eigen::Index cols = with_power ? 3 : 2;
    if (static_cast<Eigen::Index>(use.size()) < cols + 1) return {nan, nan};
    Eigen::MatrixXd A(use.size(), cols);
    Eigen::VectorXd b(use.size());
    for (std::size_t r = 0; r < use.size(); ++r) {
        const double si = s[use[r]];
        A(r, 0) = 1.0;
        A(r, 1) = si;
        if (with_power) A(r, 2) = std::log(si);
        b(r) = y[use[r]];
    }
    const Eigen::VectorXd x = A.colPivHouseholderQr().solve(b);
    return {x(1), with_power ? x(2) : 0.0};
}

}  // namespace gdmft
